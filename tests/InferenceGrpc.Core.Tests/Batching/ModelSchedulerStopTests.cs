using InferenceGrpc.Core.Inference;
using static InferenceGrpc.Core.Tests.Batching.SchedulerKit;

namespace InferenceGrpc.Core.Tests.Batching;

/// <summary>Unloading: queued requests are refused, running batches finish, then the instances go.</summary>
public sealed class ModelSchedulerStopTests
{
    private static readonly TimeSpan Drain = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task StopAsync_RequestsStillQueued_FailsThemUnavailable()
    {
        using var kit = new SchedulerKit(Policy());
        var (_, running) = await kit.OccupyAsync();
        var queued = Enumerable.Range(0, 2).Select(k => kit.Enqueue(Fp32(rows: 1, first: 100 * k))).ToArray();

        var stop = kit.Scheduler.StopAsync(Drain);

        foreach (var request in queued)
        {
            Assert.Equal(InferenceErrorKind.Unavailable, (await FailsAsync(request)).Kind);
        }

        running.Release();
        await stop.WaitAsync(HangGuard);
        Assert.Single(kit.Runner.Calls);
    }

    [Fact]
    public async Task EnqueueAsync_AfterStopAsync_ThrowsUnavailable()
    {
        using var kit = new SchedulerKit(Policy());
        await kit.Scheduler.StopAsync(Drain).WaitAsync(HangGuard);

        var error = Assert.Throws<InferenceException>(() => { _ = kit.Enqueue(Fp32(rows: 1, first: 0)); });

        Assert.Equal(InferenceErrorKind.Unavailable, error.Kind);
        Assert.Contains("unloading", error.Message);
    }

    [Fact]
    public async Task StopAsync_BatchRunning_LetsItFinishThenDisposesTheInstances()
    {
        using var kit = new SchedulerKit(Policy());
        var (blocker, running) = await kit.OccupyAsync();

        var stop = kit.Scheduler.StopAsync(Drain);
        await kit.Time.WaitForTimerAsync(Drain);   // draining now
        var disposedEarly = kit.Runner.DisposeCount;
        running.Release();
        await stop.WaitAsync(HangGuard);

        Assert.Equal(0, disposedEarly);
        AssertDoubled(await blocker.WaitAsync(HangGuard), rows: 1, first: -1000);
        Assert.Equal(1, kit.Runner.DisposeCount);
        Assert.False(kit.Runner.DisposedWhileRunning);
    }

    [Fact]
    public async Task StopAsync_DrainTimeoutPasses_DisposesTheInstancesAndTheLateBatchStillAnswers()
    {
        using var kit = new SchedulerKit(Policy());
        var (blocker, running) = await kit.OccupyAsync();
        var drain = TimeSpan.FromMilliseconds(10);
        var stop = kit.Scheduler.StopAsync(drain);
        await kit.Time.WaitForTimerAsync(drain);

        kit.Time.Advance(drain);
        await stop.WaitAsync(HangGuard);
        running.Release();

        Assert.True(kit.Runner.DisposedWhileRunning);
        AssertDoubled(await blocker.WaitAsync(HangGuard), rows: 1, first: -1000);
    }

    [Fact]
    public async Task StopAsync_BatcherWaitingForAFullerBatch_FailsTheQueuedRequestAndCompletes()
    {
        using var kit = new SchedulerKit(Policy(delay: TimeSpan.FromMilliseconds(5)));
        var request = kit.Enqueue(Fp32(rows: 1, first: 0));
        await kit.Time.WaitForTimerAsync(TimeSpan.FromMilliseconds(5));

        await kit.Scheduler.StopAsync(Drain).WaitAsync(HangGuard);   // the batcher's reserved instance was given back

        Assert.Equal(InferenceErrorKind.Unavailable, (await FailsAsync(request)).Kind);
        Assert.Equal(1, kit.Runner.DisposeCount);
        Assert.Empty(kit.Runner.Calls);
    }

    [Fact]
    public async Task StopAsync_CalledTwiceThenDisposed_DisposesEachInstanceOnce()
    {
        var kit = new SchedulerKit(Policy(), instances: 2, open: true);

        await Task.WhenAll(kit.Scheduler.StopAsync(Drain), kit.Scheduler.StopAsync(Drain)).WaitAsync(HangGuard);
        kit.Dispose();

        Assert.All(kit.Runners, r => Assert.Equal(1, r.DisposeCount));
    }
}
