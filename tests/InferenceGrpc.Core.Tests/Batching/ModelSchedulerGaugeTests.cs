using static InferenceGrpc.Core.Tests.Batching.SchedulerKit;

namespace InferenceGrpc.Core.Tests.Batching;

/// <summary>QueueDepth and BusyInstances, the signals that autoscaling and metrics read.</summary>
public sealed class ModelSchedulerGaugeTests
{
    [Fact]
    public async Task QueueDepth_RequestsWaitingForAnInstance_CountsThem()
    {
        using var kit = new SchedulerKit(Policy());
        await kit.OccupyAsync();

        var queued = Enumerable.Range(0, 3).Select(k => kit.Enqueue(Fp32(rows: 1, first: 100 * k))).ToArray();

        Assert.Equal(3, kit.Scheduler.QueueDepth);
        kit.Runner.OpenAll();
        await Task.WhenAll(queued).WaitAsync(HangGuard);
        Assert.Equal(0, kit.Scheduler.QueueDepth);
    }

    [Fact]
    public async Task BusyInstances_BatchRunning_CountsItsInstance()
    {
        using var kit = new SchedulerKit(Policy(), instances: 2);

        await kit.OccupyAsync();

        Assert.Equal(1, kit.Scheduler.BusyInstances);
    }

    [Fact]
    public async Task BusyInstances_BatcherWaitingForAFullerBatch_IsZero()
    {
        using var kit = new SchedulerKit(Policy(delay: TimeSpan.FromMilliseconds(5)));
        _ = kit.Enqueue(Fp32(rows: 1, first: 0));

        await kit.Time.WaitForTimerAsync(TimeSpan.FromMilliseconds(5));   // the batcher holds the instance's slot

        Assert.Equal(0, kit.Scheduler.BusyInstances);
    }
}
