using InferenceGrpc.Core.Inference;
using static InferenceGrpc.Core.Tests.Batching.SchedulerKit;

namespace InferenceGrpc.Core.Tests.Batching;

/// <summary>Many concurrent callers against several instances: every caller gets exactly its own rows back.</summary>
public sealed class ModelSchedulerConcurrencyTests
{
    private const int Callers = 200;

    [Fact]
    public async Task EnqueueAsync_ManyConcurrentCallersOfMixedSizesAndShapes_EachGetsItsOwnRows()
    {
        using var kit = new SchedulerKit(Policy(maxBatchSize: 8, maxQueueSize: Callers), instances: 2, open: true);
        var random = new Random(20260101);
        var callers = Enumerable.Range(0, Callers)
            .Select(k => (Rows: random.Next(1, 4), Width: random.Next(2) == 0 ? 4 : 6, First: 1000f * k))
            .ToArray();

        var answers = await Task.WhenAll(callers.Select(c => Task.Run(async () =>
        {
            using var answer = await kit.Enqueue(Fp32(c.Rows, c.First, c.Width));
            AssertDoubled(answer, c.Rows, c.First, c.Width);
            return answer.Timing;
        }))).WaitAsync(HangGuard);

        var calls = kit.Runners.SelectMany(r => r.Calls).ToArray();
        Assert.Equal(callers.Sum(c => c.Rows), calls.Sum(c => c.Rows));
        Assert.All(calls, c => Assert.InRange(c.Rows, 1, 8));
        Assert.All(answers, t => Assert.InRange(t.BatchSize, 1, 8));
    }

    [Fact]
    public async Task EnqueueAsync_ManyConcurrentCallersSomeLeaving_OthersGetTheirRowsAndEveryRunIsFreedOnce()
    {
        using var kit = new SchedulerKit(Policy(maxBatchSize: 8, maxQueueSize: Callers), instances: 2, open: true);
        using var leaving = new CancellationTokenSource();

        var callers = Enumerable.Range(0, Callers).Select(k => Task.Run(async () =>
        {
            if (k == Callers / 2)
            {
                await leaving.CancelAsync();
            }

            try
            {
                using var answer = await kit.Enqueue(Fp32(1, 1000f * k), k % 3 == 0 ? leaving.Token : CancellationToken.None);
                AssertDoubled(answer, 1, 1000f * k);
            }
            catch (InferenceException ex) when (k % 3 == 0 && ex.Kind == InferenceErrorKind.Cancelled)
            {
                // A caller that left gets Cancelled; the others must not notice.
            }
        })).ToArray();
        await Task.WhenAll(callers).WaitAsync(HangGuard);
        await kit.Scheduler.StopAsync(TimeSpan.FromMinutes(1)).WaitAsync(HangGuard);   // every batch has finished

        Assert.All(kit.Runners.SelectMany(r => r.Owners), o => Assert.Equal(1, o.DisposeCount));
    }
}
