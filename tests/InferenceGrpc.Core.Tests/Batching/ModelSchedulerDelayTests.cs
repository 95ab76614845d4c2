using static InferenceGrpc.Core.Tests.Batching.SchedulerKit;

namespace InferenceGrpc.Core.Tests.Batching;

/// <summary>max_queue_delay: how long a batch below its target may wait, counted from its oldest request.</summary>
public sealed class ModelSchedulerDelayTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(5);

    [Fact]
    public async Task EnqueueAsync_BelowTargetBatch_DispatchesWhenTheOldestRequestHasWaitedTheDelay()
    {
        using var kit = new SchedulerKit(Policy(maxBatchSize: 8, delay: Delay, preferred: [4]), open: true);
        var first = kit.Enqueue(Fp32(rows: 1, first: 0));
        var second = kit.Enqueue(Fp32(rows: 1, first: 100));
        await kit.Time.WaitForTimerAsync(Delay);   // the batcher saw a short batch and chose to wait

        kit.Time.Advance(TimeSpan.FromMilliseconds(3));
        Assert.Empty(kit.Runner.Calls);
        var third = kit.Enqueue(Fp32(rows: 1, first: 200));
        var rearmed = await kit.Time.WaitForTimerAsync(TimeSpan.FromMilliseconds(2));   // what is left of the oldest's 5 ms
        Assert.Empty(kit.Runner.Calls);
        kit.Time.Advance(TimeSpan.FromMilliseconds(2));
        var batch = await kit.NextCallAsync();

        Assert.Equal(kit.Start + TimeSpan.FromMilliseconds(3), rearmed.ArmedAt);
        Assert.Equal(3, batch.Rows);
        Assert.Equal(kit.Start + Delay, batch.At);
        AssertDoubled(await first.WaitAsync(HangGuard), rows: 1, first: 0);
        AssertDoubled(await second.WaitAsync(HangGuard), rows: 1, first: 100);
        AssertDoubled(await third.WaitAsync(HangGuard), rows: 1, first: 200);
    }

    [Fact]
    public async Task EnqueueAsync_BelowTargetBatch_ReportsQueueTimeFromEachRequestsEnqueue()
    {
        using var kit = new SchedulerKit(Policy(maxBatchSize: 8, delay: Delay), open: true);
        var first = kit.Enqueue(Fp32(rows: 1, first: 0));
        await kit.Time.WaitForTimerAsync(Delay);
        kit.Time.Advance(TimeSpan.FromMilliseconds(3));
        var second = kit.Enqueue(Fp32(rows: 1, first: 100));
        await kit.Time.WaitForTimerAsync(TimeSpan.FromMilliseconds(2));

        kit.Time.Advance(TimeSpan.FromMilliseconds(2));
        using var firstAnswer = await first.WaitAsync(HangGuard);
        using var secondAnswer = await second.WaitAsync(HangGuard);

        Assert.Equal(TimeSpan.FromMilliseconds(5), firstAnswer.Timing.QueueTime);
        Assert.Equal(TimeSpan.FromMilliseconds(2), secondAnswer.Timing.QueueTime);
        Assert.Equal(2, firstAnswer.Timing.BatchSize);
    }

    [Fact]
    public async Task EnqueueAsync_PreferredBatchSizeReached_DispatchesWithoutWaitingForTheDelay()
    {
        using var kit = new SchedulerKit(Policy(maxBatchSize: 8, delay: Delay, preferred: [2, 4]), open: true);

        var results = Enumerable.Range(0, 4).Select(k => kit.Enqueue(Fp32(rows: 1, first: 100 * k))).ToArray();
        var batch = await kit.NextCallAsync();
        await Task.WhenAll(results).WaitAsync(HangGuard);

        Assert.Equal(4, batch.Rows);
        Assert.Equal(kit.Start, batch.At);
    }

    [Fact]
    public async Task EnqueueAsync_MaxBatchSizeReachedWithoutPreferredSizes_DispatchesWithoutWaitingForTheDelay()
    {
        using var kit = new SchedulerKit(Policy(maxBatchSize: 3, delay: Delay), open: true);

        var results = Enumerable.Range(0, 3).Select(k => kit.Enqueue(Fp32(rows: 1, first: 100 * k))).ToArray();
        var batch = await kit.NextCallAsync();
        await Task.WhenAll(results).WaitAsync(HangGuard);

        Assert.Equal(3, batch.Rows);
        Assert.Equal(kit.Start, batch.At);
    }
}
