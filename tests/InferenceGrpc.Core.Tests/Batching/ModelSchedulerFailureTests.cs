using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Tensors;
using static InferenceGrpc.Core.Tests.Batching.SchedulerKit;

namespace InferenceGrpc.Core.Tests.Batching;

/// <summary>What callers get when a batch, or the batcher itself, fails.</summary>
public sealed class ModelSchedulerFailureTests
{
    private const string Secret = "cudnn handle 0xdeadbeef";

    [Fact]
    public async Task EnqueueAsync_RunnerThrows_FailsEveryRequestOfTheBatchWithInternal()
    {
        using var kit = new SchedulerKit(Policy());
        await kit.OccupyAsync();
        var requests = Enumerable.Range(0, 3).Select(k => kit.Enqueue(Fp32(rows: 1, first: 100 * k))).ToArray();
        kit.Runner.Fault = _ => new InvalidOperationException(Secret);

        kit.Runner.OpenAll();

        foreach (var request in requests)
        {
            var error = await FailsAsync(request);
            Assert.Equal(InferenceErrorKind.Internal, error.Kind);
            Assert.DoesNotContain(Secret, error.Message);
        }
    }

    [Fact]
    public async Task EnqueueAsync_RunnerThrows_LogsBatchFailedWithTheException()
    {
        using var kit = new SchedulerKit(Policy());
        var boom = new InvalidOperationException(Secret);
        kit.Runner.Fault = _ => boom;

        var request = kit.Enqueue(Fp32(rows: 1, first: 0));
        (await kit.NextCallAsync()).Release();
        await FailsAsync(request);

        var entry = Assert.Single(kit.Log.Entries, e => e.EventId.Name == "BatchFailed");
        Assert.Same(boom, entry.Exception);
    }

    [Fact]
    public async Task EnqueueAsync_AfterAFailedBatch_NextBatchOnTheSameInstanceSucceeds()
    {
        using var kit = new SchedulerKit(Policy(), open: true);
        kit.Runner.Fault = call => call.Floats("INPUT0").Contains(-1) ? new InvalidOperationException(Secret) : null;
        await FailsAsync(kit.Enqueue(Fp32(rows: 1, first: -1)));

        using var answer = await kit.Enqueue(Fp32(rows: 1, first: 100)).WaitAsync(HangGuard);

        AssertDoubled(answer, rows: 1, first: 100);
        Assert.Equal(2, kit.Runner.Calls.Count);
    }

    [Fact]
    public async Task EnqueueAsync_RunnerRejectsOneRequestsData_RerunsEachRequestAlone()
    {
        using var kit = new SchedulerKit(Policy());
        await kit.OccupyAsync();
        var good = kit.Enqueue(Fp32(rows: 1, first: 0));
        var bad = kit.Enqueue(Fp32(rows: 2, first: -1));
        var alsoGood = kit.Enqueue(Fp32(rows: 1, first: 100));
        kit.Runner.Fault = call => call.Floats("INPUT0").Contains(-1)
            ? new InferenceException(InferenceErrorKind.InvalidArgument, "input 'INPUT0': -1 is not allowed")
            : null;

        kit.Runner.OpenAll();

        AssertDoubled(await good.WaitAsync(HangGuard), rows: 1, first: 0);
        AssertDoubled(await alsoGood.WaitAsync(HangGuard), rows: 1, first: 100);
        var error = await FailsAsync(bad);
        Assert.Equal(InferenceErrorKind.InvalidArgument, error.Kind);
        Assert.Equal([4L, 1, 2, 1], kit.Runner.Calls.Skip(1).Select(c => c.Rows));
    }

    [Fact]
    public async Task EnqueueAsync_RunnerReturnsWrongRowCount_FailsTheBatchWithInternalAndFreesTheOutputs()
    {
        using var kit = new SchedulerKit(Policy());
        await kit.OccupyAsync();
        var requests = Enumerable.Range(0, 2).Select(k => kit.Enqueue(Fp32(rows: 1, first: 100 * k))).ToArray();
        kit.Runner.Tamper = (call, outputs) => call.Rows == 2
            ? outputs.Select(o => o with { Shape = [3, 4] }).ToArray()
            : outputs;

        kit.Runner.OpenAll();

        foreach (var request in requests)
        {
            Assert.Equal(InferenceErrorKind.Internal, (await FailsAsync(request)).Kind);
        }

        Assert.Equal(1, kit.Runner.Owners[^1].DisposeCount);
    }

    [Fact]
    public async Task EnqueueAsync_RunnerOmitsAnOutputOneRequestAsked_FailsTheWholeBatchAndFreesTheOutputsOnce()
    {
        using var kit = new SchedulerKit(Policy());
        await kit.OccupyAsync();
        var wantsFirst = kit.Enqueue(Fp32(rows: 1, first: 0, outputs: "OUTPUT0"));
        var wantsSecond = kit.Enqueue(Fp32(rows: 1, first: 100, outputs: "OUTPUT1"));
        kit.Runner.Tamper = (call, outputs) => call.Rows == 2 ? outputs.Where(o => o.Name == "OUTPUT0").ToArray() : outputs;

        kit.Runner.OpenAll();

        // Neither caller may hold a slice of memory the scheduler has freed.
        Assert.Equal(InferenceErrorKind.Internal, (await FailsAsync(wantsFirst)).Kind);
        Assert.Equal(InferenceErrorKind.Internal, (await FailsAsync(wantsSecond)).Kind);
        Assert.Equal(1, kit.Runner.Owners[^1].DisposeCount);
    }

    [Fact]
    public async Task EnqueueAsync_BatcherCrashes_FailsTheRequestsItHeldWithInternal()
    {
        using var kit = new SchedulerKit(Policy(), open: true);
        kit.Log.ThrowOn = "BatchDispatched";

        var request = kit.Enqueue(Fp32(rows: 1, first: 0));

        Assert.Equal(InferenceErrorKind.Internal, (await FailsAsync(request)).Kind);
        Assert.Contains(kit.Log.Entries, e => e.EventId.Name == "BatcherCrashed");
    }

    [Fact]
    public async Task EnqueueAsync_AfterBatcherCrash_ThrowsUnavailable()
    {
        using var kit = new SchedulerKit(Policy(), open: true);
        kit.Log.ThrowOn = "BatchDispatched";
        await FailsAsync(kit.Enqueue(Fp32(rows: 1, first: 0)));

        var error = Assert.Throws<InferenceException>(() => { _ = kit.Enqueue(Fp32(rows: 1, first: 100)); });

        Assert.Equal(InferenceErrorKind.Unavailable, error.Kind);
    }

    [Fact]
    public async Task Dispose_AfterBatcherCrash_DisposesEveryInstance()
    {
        var kit = new SchedulerKit(Policy(), instances: 2, open: true);
        kit.Log.ThrowOn = "BatchDispatched";
        await FailsAsync(kit.Enqueue(Fp32(rows: 1, first: 0)));

        kit.Dispose();

        Assert.All(kit.Runners, r => Assert.Equal(1, r.DisposeCount));
    }
}
