using InferenceGrpc.Core.Inference;
using static InferenceGrpc.Core.Tests.Batching.SchedulerKit;

namespace InferenceGrpc.Core.Tests.Batching;

/// <summary>Admission and the life of a queued request: priority, the queue bound, deadlines, cancellation.</summary>
public sealed class ModelSchedulerQueueTests
{
    [Fact]
    public async Task EnqueueAsync_HigherPriorityQueuedLater_RunsFirst()
    {
        using var kit = new SchedulerKit(Policy(maxBatchSize: 1, priorityLevels: 2, defaultPriorityLevel: 2));
        await kit.OccupyAsync();

        var low = kit.Enqueue(Fp32(rows: 1, first: 100, priority: 2));
        var high = kit.Enqueue(Fp32(rows: 1, first: 200, priority: 1));
        kit.Runner.OpenAll();
        await Task.WhenAll(low, high).WaitAsync(HangGuard);

        Assert.Equal([Values(1, 200), Values(1, 100)], kit.Runner.Calls.Skip(1).Select(c => c.Floats("INPUT0")));
    }

    [Fact]
    public async Task EnqueueAsync_PriorityZero_TakesTheDefaultLevel()
    {
        using var kit = new SchedulerKit(Policy(maxBatchSize: 1, priorityLevels: 2, defaultPriorityLevel: 2));
        await kit.OccupyAsync();

        var unnamed = kit.Enqueue(Fp32(rows: 1, first: 100, priority: 0));
        var high = kit.Enqueue(Fp32(rows: 1, first: 200, priority: 1));
        kit.Runner.OpenAll();
        await Task.WhenAll(unnamed, high).WaitAsync(HangGuard);

        Assert.Equal([Values(1, 200), Values(1, 100)], kit.Runner.Calls.Skip(1).Select(c => c.Floats("INPUT0")));
    }

    [Fact]
    public async Task EnqueueAsync_HigherPriorityOfAnotherShape_LeadsTheNextBatch()
    {
        using var kit = new SchedulerKit(Policy(maxBatchSize: 8, priorityLevels: 2, defaultPriorityLevel: 2));
        await kit.OccupyAsync();

        var low = Enumerable.Range(0, 3).Select(k => kit.Enqueue(Fp32(rows: 1, first: 100 * k, width: 8))).ToArray();
        var high = kit.Enqueue(Fp32(rows: 1, first: 900, width: 16, priority: 1));
        kit.Runner.OpenAll();
        await Task.WhenAll([.. low, high]).WaitAsync(HangGuard);

        var batches = kit.Runner.Calls.Skip(1).ToArray();
        Assert.Equal([[1L, 16], [3L, 8]], batches.Select(c => c.Input("INPUT0").Shape));
    }

    [Theory]
    [InlineData(3UL)]
    [InlineData(ulong.MaxValue)]
    public void EnqueueAsync_PriorityAboveLevels_ThrowsInvalidArgument(ulong priority)
    {
        using var kit = new SchedulerKit(Policy(priorityLevels: 2, defaultPriorityLevel: 2));

        var error = Assert.Throws<InferenceException>(() => { _ = kit.Enqueue(Fp32(rows: 1, first: 0, priority: priority)); });

        Assert.Equal(InferenceErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public async Task EnqueueAsync_QueueFull_ThrowsQueueFull()
    {
        using var kit = new SchedulerKit(Policy(maxQueueSize: 2));
        await kit.OccupyAsync();
        _ = kit.Enqueue(Fp32(rows: 1, first: 0));
        _ = kit.Enqueue(Fp32(rows: 1, first: 100));

        var error = Assert.Throws<InferenceException>(() => { _ = kit.Enqueue(Fp32(rows: 1, first: 200)); });

        Assert.Equal(InferenceErrorKind.QueueFull, error.Kind);
        Assert.Contains("exceeds maximum queue size", error.Message);
        Assert.Equal(2, kit.Scheduler.QueueDepth);
    }

    [Fact]
    public async Task EnqueueAsync_QueueFullOfCancelledRequests_SweepsThemAndAccepts()
    {
        using var kit = new SchedulerKit(Policy(maxQueueSize: 2));
        await kit.OccupyAsync();
        using var leaving = new CancellationTokenSource();
        var cancelled = kit.Enqueue(Fp32(rows: 1, first: 0), leaving.Token);
        var kept = kit.Enqueue(Fp32(rows: 1, first: 100));
        await leaving.CancelAsync();

        var late = kit.Enqueue(Fp32(rows: 1, first: 200));
        kit.Runner.OpenAll();

        Assert.Equal(InferenceErrorKind.Cancelled, (await FailsAsync(cancelled)).Kind);
        AssertDoubled(await kept.WaitAsync(HangGuard), rows: 1, first: 100);
        AssertDoubled(await late.WaitAsync(HangGuard), rows: 1, first: 200);
    }

    [Fact]
    public async Task EnqueueAsync_QueueFullOfExpiredRequests_FailsThemDeadlineExceededAndAccepts()
    {
        using var kit = new SchedulerKit(Policy(maxQueueSize: 2));
        await kit.OccupyAsync();
        var expiring = kit.Enqueue(Fp32(rows: 1, first: 0, queueTimeout: TimeSpan.FromMilliseconds(10)));
        var kept = kit.Enqueue(Fp32(rows: 1, first: 100));
        kit.Time.Advance(TimeSpan.FromMilliseconds(11));

        var late = kit.Enqueue(Fp32(rows: 1, first: 200));

        // Failed at once by the sweep, before any instance frees up.
        Assert.Equal(InferenceErrorKind.DeadlineExceeded, (await FailsAsync(expiring)).Kind);
        kit.Runner.OpenAll();
        AssertDoubled(await kept.WaitAsync(HangGuard), rows: 1, first: 100);
        AssertDoubled(await late.WaitAsync(HangGuard), rows: 1, first: 200);
        Assert.DoesNotContain(kit.Runner.Calls, c => c.Floats("INPUT0").Contains(0));
    }

    [Fact]
    public async Task EnqueueAsync_QueueTimeoutPassesWhileQueued_FailsDeadlineExceededWithoutRunning()
    {
        using var kit = new SchedulerKit(Policy());
        await kit.OccupyAsync();
        var expiring = kit.Enqueue(Fp32(rows: 1, first: 100, queueTimeout: TimeSpan.FromMilliseconds(10)));
        var patient = kit.Enqueue(Fp32(rows: 1, first: 200));

        kit.Time.Advance(TimeSpan.FromMilliseconds(11));
        kit.Runner.OpenAll();

        Assert.Equal(InferenceErrorKind.DeadlineExceeded, (await FailsAsync(expiring)).Kind);
        AssertDoubled(await patient.WaitAsync(HangGuard), rows: 1, first: 200);
        Assert.DoesNotContain(kit.Runner.Calls, c => c.Floats("INPUT0").Contains(100));
    }

    [Fact]
    public async Task EnqueueAsync_QueueTimeoutNotYetPassed_Runs()
    {
        using var kit = new SchedulerKit(Policy());
        await kit.OccupyAsync();
        var request = kit.Enqueue(Fp32(rows: 1, first: 100, queueTimeout: TimeSpan.FromMilliseconds(10)));

        kit.Time.Advance(TimeSpan.FromMilliseconds(9));
        kit.Runner.OpenAll();

        AssertDoubled(await request.WaitAsync(HangGuard), rows: 1, first: 100);
    }

    [Fact]
    public async Task EnqueueAsync_PolicyDefaultTimeoutPassesWhileQueued_FailsDeadlineExceeded()
    {
        using var kit = new SchedulerKit(Policy(defaultTimeout: TimeSpan.FromMilliseconds(10)));
        await kit.OccupyAsync();
        var request = kit.Enqueue(Fp32(rows: 1, first: 100));

        kit.Time.Advance(TimeSpan.FromMilliseconds(10));
        kit.Runner.OpenAll();

        Assert.Equal(InferenceErrorKind.DeadlineExceeded, (await FailsAsync(request)).Kind);
    }

    [Fact]
    public async Task EnqueueAsync_CallerDeadlinePassesWhileQueued_FailsDeadlineExceededWithoutRunning()
    {
        using var kit = new SchedulerKit(Policy());
        await kit.OccupyAsync();
        var request = kit.Enqueue(Fp32(rows: 1, first: 100, deadline: kit.Start + TimeSpan.FromMilliseconds(10)));

        kit.Time.Advance(TimeSpan.FromMilliseconds(10));
        kit.Runner.OpenAll();

        Assert.Equal(InferenceErrorKind.DeadlineExceeded, (await FailsAsync(request)).Kind);
        Assert.DoesNotContain(kit.Runner.Calls, c => c.Floats("INPUT0").Contains(100));
    }

    [Fact]
    public async Task EnqueueAsync_CallerCancelsWhileQueued_FailsCancelledAtOnceAndNeverRuns()
    {
        using var kit = new SchedulerKit(Policy());
        await kit.OccupyAsync();
        using var leaving = new CancellationTokenSource();
        var request = kit.Enqueue(Fp32(rows: 1, first: 100), leaving.Token);
        var other = kit.Enqueue(Fp32(rows: 1, first: 200));

        await leaving.CancelAsync();
        var error = await FailsAsync(request);   // while the instance is still busy
        kit.Runner.OpenAll();
        await other.WaitAsync(HangGuard);

        Assert.Equal(InferenceErrorKind.Cancelled, error.Kind);
        Assert.DoesNotContain(kit.Runner.Calls, c => c.Floats("INPUT0").Contains(100));
    }

    [Fact]
    public async Task EnqueueAsync_TokenFiresAfterCallerDeadline_FailsDeadlineExceeded()
    {
        using var kit = new SchedulerKit(Policy());
        await kit.OccupyAsync();
        using var grpcDeadline = new CancellationTokenSource();
        var request = kit.Enqueue(Fp32(rows: 1, first: 100, deadline: kit.Start + TimeSpan.FromMilliseconds(10)), grpcDeadline.Token);

        kit.Time.Advance(TimeSpan.FromMilliseconds(10));
        await grpcDeadline.CancelAsync();

        Assert.Equal(InferenceErrorKind.DeadlineExceeded, (await FailsAsync(request)).Kind);
    }

    [Fact]
    public void EnqueueAsync_TokenAlreadyCancelled_ThrowsCancelled()
    {
        using var kit = new SchedulerKit(Policy());

        var error = Assert.Throws<InferenceException>(() => { _ = kit.Enqueue(Fp32(rows: 1, first: 0), new CancellationToken(canceled: true)); });

        Assert.Equal(InferenceErrorKind.Cancelled, error.Kind);
        Assert.Equal(0, kit.Scheduler.QueueDepth);
    }
}
