using InferenceGrpc.Core.Batching;
using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace InferenceGrpc.Core.Tests.Batching;

public sealed class InstancePoolTests
{
    private static readonly TimeSpan HangGuard = GateRunner.HangGuard;

    [Fact]
    public async Task Take_EverySlotAcquired_HandsOutEachInstanceOnce()
    {
        var instances = new[] { new GateRunner(), new GateRunner(), new GateRunner() };
        var pool = new InstancePool(instances);

        var taken = new List<IModelRunner>();
        for (var i = 0; i < instances.Length; i++)
        {
            await pool.WaitAsync(CancellationToken.None).WaitAsync(HangGuard);
            taken.Add(pool.Take());
        }

        Assert.Equal(3, taken.Distinct().Count());
        Assert.All(taken, t => Assert.Contains(t, instances));
        Assert.Equal(3, pool.Busy);
    }

    [Fact]
    public async Task Busy_SlotAcquiredButNoInstanceTaken_IsZero()
    {
        var pool = new InstancePool([new GateRunner()]);

        await pool.WaitAsync(CancellationToken.None).WaitAsync(HangGuard);

        Assert.Equal(0, pool.Busy);
    }

    [Fact]
    public async Task DrainAsync_EveryInstanceIdle_ReturnsTrueAndFreesTheSlots()
    {
        var pool = new InstancePool([new GateRunner(), new GateRunner()]);

        var drained = await pool.DrainAsync(TimeSpan.FromMinutes(1), new FakeTimeProvider()).WaitAsync(HangGuard);

        Assert.True(drained);
        await pool.WaitAsync(CancellationToken.None).WaitAsync(HangGuard);
        await pool.WaitAsync(CancellationToken.None).WaitAsync(HangGuard);
    }

    [Fact]
    public async Task DrainAsync_InstanceStillBusyWhenTimeoutPasses_ReturnsFalse()
    {
        var pool = new InstancePool([new GateRunner()]);
        var time = new ObservedTimeProvider();
        await pool.WaitAsync(CancellationToken.None).WaitAsync(HangGuard);
        var instance = pool.Take();

        var drain = pool.DrainAsync(TimeSpan.FromSeconds(1), time);
        await time.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.False(await drain.WaitAsync(HangGuard));
        pool.Release(instance);
    }

    [Fact]
    public async Task Release_AfterDispose_DoesNotThrow()
    {
        var runner = new GateRunner();
        var pool = new InstancePool([runner]);
        await pool.WaitAsync(CancellationToken.None).WaitAsync(HangGuard);
        var instance = pool.Take();

        pool.Dispose();
        pool.Release(instance);   // a batch that outlived the drain

        Assert.Equal(1, runner.DisposeCount);
        Assert.Equal(0, pool.Busy);
    }
}
