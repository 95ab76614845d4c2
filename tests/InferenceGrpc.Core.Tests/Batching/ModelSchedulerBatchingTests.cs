using InferenceGrpc.Core.Batching;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tests.Fakes;
using static InferenceGrpc.Core.Tests.Batching.SchedulerKit;

namespace InferenceGrpc.Core.Tests.Batching;

/// <summary>How requests are grouped into batches: work-conserving, bounded, FIFO, by shape.</summary>
public sealed class ModelSchedulerBatchingTests
{
    [Fact]
    public async Task EnqueueAsync_IdleInstanceAndNoDelay_DispatchesLoneRequestAtOnce()
    {
        using var kit = new SchedulerKit(Policy(maxBatchSize: 8));

        var result = kit.Enqueue(Fp32(rows: 1, first: 10));
        var call = await kit.NextCallAsync();
        call.Release();
        using var answer = await result.WaitAsync(HangGuard);

        Assert.Equal(1, call.Rows);
        Assert.Equal(kit.Start, call.At);   // the clock never moved: nothing waited for a fuller batch
        AssertDoubled(answer, rows: 1, first: 10);
    }

    [Fact]
    public async Task EnqueueAsync_RequestsQueuedWhileInstanceBusy_RunAsOneBatch()
    {
        using var kit = new SchedulerKit(Policy(maxBatchSize: 8));
        var (blocker, running) = await kit.OccupyAsync();

        var results = Enumerable.Range(0, 5).Select(k => kit.Enqueue(Fp32(rows: 1, first: 100 * k))).ToArray();
        running.Release();
        (await blocker.WaitAsync(HangGuard)).Dispose();
        var batch = await kit.NextCallAsync();
        batch.Release();
        var answers = await Task.WhenAll(results).WaitAsync(HangGuard);

        Assert.Equal([5, 4], batch.Input("INPUT0").Shape);
        Assert.Equal(Enumerable.Range(0, 5).SelectMany(k => Values(1, 100 * k)), batch.Floats("INPUT0"));
        for (var k = 0; k < 5; k++)
        {
            AssertDoubled(answers[k], rows: 1, first: 100 * k);
            Assert.Equal(5, answers[k].Timing.BatchSize);
            answers[k].Dispose();
        }
    }

    [Fact]
    public async Task EnqueueAsync_MoreQueuedThanMaxBatch_RunsFifoBatchesOfAtMostMax()
    {
        using var kit = new SchedulerKit(Policy(maxBatchSize: 4));
        await kit.OccupyAsync();

        var results = Enumerable.Range(0, 10).Select(k => kit.Enqueue(Fp32(rows: 1, first: 100 * k))).ToArray();
        kit.Runner.OpenAll();
        var answers = await Task.WhenAll(results).WaitAsync(HangGuard);

        var batches = kit.Runner.Calls.Skip(1).ToArray();
        Assert.Equal([4L, 4, 2], batches.Select(c => c.Rows));
        Assert.Equal(Enumerable.Range(0, 10).SelectMany(k => Values(1, 100 * k)), batches.SelectMany(c => c.Floats("INPUT0")));
        for (var k = 0; k < 10; k++)
        {
            AssertDoubled(answers[k], rows: 1, first: 100 * k);
        }
    }

    [Fact]
    public async Task EnqueueAsync_MultiRowRequests_TakesWholeRequestsWithinMaxRows()
    {
        using var kit = new SchedulerKit(Policy(maxBatchSize: 4));
        await kit.OccupyAsync();

        var three = kit.Enqueue(Fp32(rows: 3, first: 0));
        var twoA = kit.Enqueue(Fp32(rows: 2, first: 100));
        var twoB = kit.Enqueue(Fp32(rows: 2, first: 200));
        kit.Runner.OpenAll();
        await Task.WhenAll(three, twoA, twoB).WaitAsync(HangGuard);

        var batches = kit.Runner.Calls.Skip(1).ToArray();
        Assert.Equal([3L, 4], batches.Select(c => c.Rows));
        Assert.Equal(Values(3, 0), batches[0].Floats("INPUT0"));
        Assert.Equal(Values(2, 100).Concat(Values(2, 200)), batches[1].Floats("INPUT0"));
        AssertDoubled(await three, rows: 3, first: 0);
        AssertDoubled(await twoA, rows: 2, first: 100);
        AssertDoubled(await twoB, rows: 2, first: 200);
    }

    [Fact]
    public async Task EnqueueAsync_DifferentRowShapes_NeverShareABatch()
    {
        using var kit = new SchedulerKit(Policy(maxBatchSize: 8));
        await kit.OccupyAsync();

        var narrowA = kit.Enqueue(Fp32(rows: 1, first: 0, width: 8));
        var wideA = kit.Enqueue(Fp32(rows: 1, first: 100, width: 16));
        var narrowB = kit.Enqueue(Fp32(rows: 1, first: 200, width: 8));
        var wideB = kit.Enqueue(Fp32(rows: 1, first: 300, width: 16));
        kit.Runner.OpenAll();
        await Task.WhenAll(narrowA, wideA, narrowB, wideB).WaitAsync(HangGuard);

        var batches = kit.Runner.Calls.Skip(1).ToArray();
        Assert.Equal(2, batches.Length);
        Assert.Equal([2, 8], batches[0].Input("INPUT0").Shape);
        Assert.Equal([2, 16], batches[1].Input("INPUT0").Shape);
        AssertDoubled(await narrowA, rows: 1, first: 0, width: 8);
        AssertDoubled(await wideA, rows: 1, first: 100, width: 16);
        AssertDoubled(await narrowB, rows: 1, first: 200, width: 8);
        AssertDoubled(await wideB, rows: 1, first: 300, width: 16);
    }

    [Fact]
    public async Task EnqueueAsync_OldestRequestOfAnotherShape_RunsBeforeTheLargerGroup()
    {
        using var kit = new SchedulerKit(Policy(maxBatchSize: 8));
        await kit.OccupyAsync();

        var wide = kit.Enqueue(Fp32(rows: 1, first: 0, width: 16));
        var narrow = Enumerable.Range(1, 3).Select(k => kit.Enqueue(Fp32(rows: 1, first: 100 * k, width: 8))).ToArray();
        kit.Runner.OpenAll();
        await Task.WhenAll([wide, .. narrow]).WaitAsync(HangGuard);

        var batches = kit.Runner.Calls.Skip(1).ToArray();
        Assert.Equal([1, 16], batches[0].Input("INPUT0").Shape);
        Assert.Equal([3, 8], batches[1].Input("INPUT0").Shape);
    }

    [Fact]
    public async Task EnqueueAsync_ModelWithoutBatchDimension_RunsEachRequestAlone()
    {
        var signature = Fp32Signature(maxBatchSize: 0);
        var policy = BatchingPolicy.Create(new ModelConfig { Name = Model }, signature, new SchedulerOptions());
        using var kit = new SchedulerKit(policy, signature);
        await kit.OccupyAsync();

        var results = Enumerable.Range(0, 3).Select(k => kit.Enqueue(Fp32(rows: 2, first: 100 * k))).ToArray();
        kit.Runner.OpenAll();
        var answers = await Task.WhenAll(results).WaitAsync(HangGuard);

        Assert.False(policy.Batching);
        Assert.Equal([[2L, 4], [2L, 4], [2L, 4]], kit.Runner.Calls.Skip(1).Select(c => c.Input("INPUT0").Shape));
        for (var k = 0; k < 3; k++)
        {
            AssertDoubled(answers[k], rows: 2, first: 100 * k);
        }
    }

    [Fact]
    public async Task EnqueueAsync_DynamicBatchingOffAndNoConfigBlock_RunsEachRequestAlone()
    {
        var signature = Fp32Signature(maxBatchSize: 8);
        var policy = BatchingPolicy.Create(new ModelConfig { Name = Model }, signature, new SchedulerOptions { DynamicBatchingByDefault = false });
        using var kit = new SchedulerKit(policy, signature);
        await kit.OccupyAsync();

        var results = Enumerable.Range(0, 3).Select(k => kit.Enqueue(Fp32(rows: 1, first: 100 * k))).ToArray();
        kit.Runner.OpenAll();
        await Task.WhenAll(results).WaitAsync(HangGuard);

        Assert.Equal([1L, 1, 1], kit.Runner.Calls.Skip(1).Select(c => c.Rows));
    }

    [Fact]
    public async Task EnqueueAsync_TwoInstances_RunTwoBatchesAtOnce()
    {
        using var kit = new SchedulerKit(Policy(maxBatchSize: 8), instances: 2);

        var first = kit.Enqueue(Fp32(rows: 1, first: 0));
        var firstCall = await kit.NextCallAsync();
        var second = kit.Enqueue(Fp32(rows: 1, first: 100));
        var secondCall = await kit.NextCallAsync();

        Assert.Equal(2, kit.Scheduler.BusyInstances);
        Assert.Single(kit.Runners[0].Calls);
        Assert.Single(kit.Runners[1].Calls);
        firstCall.Release();
        secondCall.Release();

        AssertDoubled(await first.WaitAsync(HangGuard), rows: 1, first: 0);
        AssertDoubled(await second.WaitAsync(HangGuard), rows: 1, first: 100);
    }
}
