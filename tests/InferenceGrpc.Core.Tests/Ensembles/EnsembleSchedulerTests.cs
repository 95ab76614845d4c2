using InferenceGrpc.Core.Inference;
using static InferenceGrpc.Core.Tests.Ensembles.StepModels;
using static InferenceGrpc.Core.Tests.Fakes.TensorValues;

namespace InferenceGrpc.Core.Tests.Ensembles;

public sealed class EnsembleSchedulerTests
{
    // A safety net for a hang, never a timing assertion: every wait below ends on a signal.
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    private readonly StepModels _models = new();

    private Task<InferenceResult> Run(params string[] outputs) =>
        _models.Scheduler(Diamond, DiamondSignature).EnqueueAsync(Request(outputs), 1, CancellationToken.None);

    [Fact]
    public async Task EnqueueAsync_Diamond_ComputesEveryOutputFromItsSteps()
    {
        using var result = await Run();

        Assert.Equal(["OUT", "P"], result.Outputs.Select(o => o.Name));
        Assert.Equal([4f, 7, 10, 13], Floats(result.Outputs[0]));   // 2x + (x + 1)
        Assert.Equal([2f, 3, 4, 5], Floats(result.Outputs[1]));
        Assert.Equal("ens", result.ModelName);
    }

    [Fact]
    public async Task EnqueueAsync_Diamond_RunsTheConsumerLast()
    {
        using var result = await Run();

        Assert.Equal(3, _models.Calls.Count);
        Assert.Equal("add", _models.Calls.Last());
    }

    [Fact]
    public async Task EnqueueAsync_IndependentSteps_RunConcurrently()
    {
        _models.Gate("scale2");
        _models.Gate("plus1");

        var run = Run();

        // Both are called while neither has finished: neither waited for the other.
        await Task.WhenAll(_models.Entered("scale2"), _models.Entered("plus1")).WaitAsync(Hang);
        Assert.DoesNotContain("add", _models.Calls);
        _models.Release("scale2");
        _models.Release("plus1");
        using var result = await run.WaitAsync(Hang);
        Assert.Equal([4f, 7, 10, 13], Floats(result.Outputs[0]));
    }

    [Fact]
    public async Task EnqueueAsync_ConsumerOfTwoProducers_WaitsForBoth()
    {
        _models.Gate("plus1");

        var run = Run();
        await _models.Entered("plus1").WaitAsync(Hang);
        await _models.Entered("scale2").WaitAsync(Hang);

        Assert.DoesNotContain("add", _models.Calls);
        _models.Release("plus1");
        (await run.WaitAsync(Hang)).Dispose();
        Assert.Contains("add", _models.Calls);
    }

    [Fact]
    public async Task EnqueueAsync_StepFails_ReturnsItsStatusNamingEnsembleAndStep()
    {
        _models.Fail("plus1", new InferenceException(InferenceErrorKind.InvalidArgument, "model 'plus1', input 'X': bad"));

        var ex = await Assert.ThrowsAsync<InferenceException>(() => Run());

        Assert.Equal(InferenceErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("ensemble 'ens'", ex.Message);
        Assert.Contains("step 1 (model 'plus1')", ex.Message);
        Assert.Contains("input 'X': bad", ex.Message);
    }

    [Fact]
    public async Task EnqueueAsync_StepFails_ConsumersNeverRun()
    {
        _models.Fail("plus1", new InferenceException(InferenceErrorKind.Internal, "model execution failed"));

        await Assert.ThrowsAsync<InferenceException>(() => Run());

        Assert.DoesNotContain("add", _models.Calls);
    }

    [Fact]
    public async Task EnqueueAsync_StepModelGone_IsUnavailable()
    {
        _models.Fail("scale2", InferenceException.ModelNotFound("scale2"));

        var ex = await Assert.ThrowsAsync<InferenceException>(() => Run());

        Assert.Equal(InferenceErrorKind.Unavailable, ex.Kind);
        Assert.Contains("step 0 (model 'scale2')", ex.Message);
    }

    [Fact]
    public async Task EnqueueAsync_StepFails_CancelsTheStepsStillRunning()
    {
        _models.Gate("scale2");
        _models.Fail("plus1", new InferenceException(InferenceErrorKind.Internal, "model execution failed"));

        var ex = await Assert.ThrowsAsync<InferenceException>(() => Run().WaitAsync(Hang));

        Assert.True(_models.Tokens["scale2"].IsCancellationRequested);
        Assert.Contains("model 'plus1'", ex.Message);   // the first failure, not the cancellation it caused
    }

    [Fact]
    public async Task EnqueueAsync_CallerCancels_CancelsRunningSteps()
    {
        _models.Gate("scale2");
        using var caller = new CancellationTokenSource();
        var run = _models.Scheduler(Diamond, DiamondSignature).EnqueueAsync(Request(), 1, caller.Token);
        await _models.Entered("scale2").WaitAsync(Hang);

        await caller.CancelAsync();

        var ex = await Assert.ThrowsAsync<InferenceException>(() => run.WaitAsync(Hang));
        Assert.Equal(InferenceErrorKind.Cancelled, ex.Kind);
    }

    [Fact]
    public async Task EnqueueAsync_Success_DisposesIntermediatesAndKeepsOutputs()
    {
        var result = await Run("OUT");

        Assert.Equal(1, _models.Owners["scale2"].DisposeCount);   // read only by add
        Assert.Equal(1, _models.Owners["plus1"].DisposeCount);    // P not asked for
        Assert.Equal(0, _models.Owners["add"].DisposeCount);      // holds OUT
        Assert.Equal([4f, 7, 10, 13], Floats(result.Outputs.Single()));

        result.Dispose();
        Assert.Equal(1, _models.Owners["add"].DisposeCount);
    }

    [Fact]
    public async Task EnqueueAsync_OutputAlsoReadByAStep_LivesUntilTheCallerDisposes()
    {
        var result = await Run("OUT", "P");

        Assert.Equal(0, _models.Owners["plus1"].DisposeCount);   // read by add, and held for P
        Assert.Equal([2f, 3, 4, 5], Floats(result.Outputs[1]));

        result.Dispose();
        Assert.Equal(1, _models.Owners["plus1"].DisposeCount);
    }

    [Fact]
    public async Task EnqueueAsync_SomeOutputsRequested_SkipsStepsThatLeadToNoneOfThem()
    {
        using var result = await Run("P");

        Assert.Equal(["plus1"], _models.Calls);
        Assert.Equal([2f, 3, 4, 5], Floats(result.Outputs.Single()));
    }

    [Fact]
    public async Task EnqueueAsync_SomeOutputsRequested_DisposesWhatOnlySkippedStepsWouldRead()
    {
        var result = await Run("P");

        result.Dispose();

        Assert.Equal(1, _models.Owners["plus1"].DisposeCount);
    }

    [Fact]
    public async Task EnqueueAsync_ConsumerFails_DisposesEveryProducedResult()
    {
        _models.Fail("add", new InferenceException(InferenceErrorKind.Internal, "model execution failed"));

        await Assert.ThrowsAsync<InferenceException>(() => Run());

        Assert.Equal(1, _models.Owners["scale2"].DisposeCount);
        Assert.Equal(1, _models.Owners["plus1"].DisposeCount);
    }

    [Fact]
    public async Task EnqueueAsync_Success_CountsOneExecutionInTheEnsemblesStatistics()
    {
        var scheduler = _models.Scheduler(Diamond, DiamondSignature);

        (await scheduler.EnqueueAsync(Request(), 1, CancellationToken.None)).Dispose();

        Assert.Equal(1, scheduler.Statistics.ExecutionCount);
        Assert.Equal(1, scheduler.Statistics.InferenceCount);
        Assert.Equal(0, scheduler.InFlight);
    }

    [Fact]
    public async Task DrainAsync_RequestRunning_WaitsForItAndRefusesNewOnes()
    {
        var scheduler = _models.Scheduler(Diamond, DiamondSignature);
        _models.Gate("scale2");
        var run = scheduler.EnqueueAsync(Request(), 1, CancellationToken.None);
        await _models.Entered("scale2").WaitAsync(Hang);

        var drain = scheduler.DrainAsync(Hang);

        Assert.False(drain.IsCompleted);
        Assert.False(scheduler.IsAccepting);
        Assert.Equal(1, scheduler.InFlight);
        // Refused at once (synchronously), as a stopping batcher does, so the executor can go to a successor.
        var refused = Assert.Throws<InferenceException>(() => { _ = scheduler.EnqueueAsync(Request(), 1, CancellationToken.None); });
        Assert.Equal(InferenceErrorKind.Unavailable, refused.Kind);
        _models.Release("scale2");
        (await run.WaitAsync(Hang)).Dispose();
        await drain.WaitAsync(Hang);
    }
}
