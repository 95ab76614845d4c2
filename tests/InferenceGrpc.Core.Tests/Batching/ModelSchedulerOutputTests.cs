using InferenceGrpc.Core.Tests.Fakes;
using static InferenceGrpc.Core.Tests.Batching.SchedulerKit;

namespace InferenceGrpc.Core.Tests.Batching;

/// <summary>How one batch's outputs become each request's result, and who frees the batch's memory.</summary>
public sealed class ModelSchedulerOutputTests
{
    [Fact]
    public async Task EnqueueAsync_BytesOfVariableLengths_SplitsEachRequestsElementsExactly()
    {
        using var kit = new SchedulerKit(Policy(), TextSignature());
        await kit.OccupyTextAsync();
        var one = kit.Enqueue(Text(["a", "bbbb"]));
        var two = kit.Enqueue(Text(["", "cc"], ["dddddd", "é"]));
        var three = kit.Enqueue(Text(["x", ""]));

        kit.Runner.OpenAll();
        using var first = await one.WaitAsync(HangGuard);
        using var second = await two.WaitAsync(HangGuard);
        using var third = await three.WaitAsync(HangGuard);

        Assert.Equal(4, kit.Runner.Calls[^1].Rows);
        Assert.Equal(["[a]", "[bbbb]"], TensorValues.Strings(first.Outputs.Single()));
        Assert.Equal(["[]", "[cc]", "[dddddd]", "[é]"], TensorValues.Strings(second.Outputs.Single()));
        Assert.Equal(["[x]", "[]"], TensorValues.Strings(third.Outputs.Single()));
        Assert.Equal([2, 2], second.Outputs.Single().Shape);
    }

    [Fact]
    public async Task EnqueueAsync_OneRequestWantsASubset_GetsOnlyThatWhileTheOtherGetsAll()
    {
        using var kit = new SchedulerKit(Policy());
        await kit.OccupyAsync();
        var subset = kit.Enqueue(Fp32(rows: 1, first: 0, outputs: "OUTPUT1"));
        var all = kit.Enqueue(Fp32(rows: 2, first: 100));

        kit.Runner.OpenAll();
        using var subsetAnswer = await subset.WaitAsync(HangGuard);
        using var allAnswer = await all.WaitAsync(HangGuard);

        Assert.Equal(["OUTPUT0", "OUTPUT1"], kit.Runner.Calls[^1].OutputNames);
        var only = Assert.Single(subsetAnswer.Outputs);
        Assert.Equal("OUTPUT1", only.Name);
        Assert.Equal(Values(1, 0).Select(v => v + 1), TensorValues.Floats(only));
        Assert.Equal(["OUTPUT0", "OUTPUT1"], allAnswer.Outputs.Select(o => o.Name));
        AssertDoubled(allAnswer, rows: 2, first: 100);
        Assert.Equal(Values(2, 100).Select(v => v + 1), TensorValues.Floats(allAnswer.Outputs[1]));
    }

    [Fact]
    public async Task EnqueueAsync_RequestsWantDisjointOutputs_RunsTheirUnionInSignatureOrderAndKeepsEachOrder()
    {
        using var kit = new SchedulerKit(Policy());
        await kit.OccupyAsync();
        var second = kit.Enqueue(Fp32(rows: 1, first: 0, outputs: "OUTPUT1"));
        var reversed = kit.Enqueue(Fp32(rows: 1, first: 100, outputs: ["OUTPUT1", "OUTPUT0"]));

        kit.Runner.OpenAll();
        using var secondAnswer = await second.WaitAsync(HangGuard);
        using var reversedAnswer = await reversed.WaitAsync(HangGuard);

        Assert.Equal(["OUTPUT0", "OUTPUT1"], kit.Runner.Calls[^1].OutputNames);
        Assert.Equal(["OUTPUT1"], secondAnswer.Outputs.Select(o => o.Name));
        Assert.Equal(["OUTPUT1", "OUTPUT0"], reversedAnswer.Outputs.Select(o => o.Name));
        Assert.Equal(Values(1, 100).Select(v => v + 1), TensorValues.Floats(reversedAnswer.Outputs[0]));
        Assert.Equal(Values(1, 100).Select(v => v * 2), TensorValues.Floats(reversedAnswer.Outputs[1]));
    }

    [Fact]
    public async Task EnqueueAsync_LoneRequestWithOutputsOutOfOrder_RunsExactlyThoseInItsOrder()
    {
        using var kit = new SchedulerKit(Policy(), open: true);

        using var answer = await kit.Enqueue(Fp32(rows: 1, first: 0, outputs: ["OUTPUT1", "OUTPUT0"])).WaitAsync(HangGuard);

        Assert.Equal(["OUTPUT1", "OUTPUT0"], Assert.Single(kit.Runner.Calls).OutputNames);
        Assert.Equal(["OUTPUT1", "OUTPUT0"], answer.Outputs.Select(o => o.Name));
    }

    [Fact]
    public async Task Dispose_EveryResultOfABatch_FreesTheRunOutputsOnceAfterTheLast()
    {
        using var kit = new SchedulerKit(Policy());
        await kit.OccupyAsync();
        var requests = Enumerable.Range(0, 3).Select(k => kit.Enqueue(Fp32(rows: 1, first: 100 * k))).ToArray();
        kit.Runner.OpenAll();
        var answers = await Task.WhenAll(requests).WaitAsync(HangGuard);
        var owner = kit.Runner.Owners[^1];

        answers[0].Dispose();
        answers[0].Dispose();
        answers[2].Dispose();
        var before = owner.DisposeCount;
        answers[1].Dispose();

        Assert.Equal(0, before);
        Assert.Equal(1, owner.DisposeCount);
    }

    [Fact]
    public async Task Dispose_CallerLeftWhileItsBatchRan_ItsShareIsFreedByTheScheduler()
    {
        using var kit = new SchedulerKit(Policy());
        var (blocker, busy) = await kit.OccupyAsync();
        using var leaving = new CancellationTokenSource();
        var leaver = kit.Enqueue(Fp32(rows: 1, first: 0), leaving.Token);
        var stayer = kit.Enqueue(Fp32(rows: 1, first: 100));
        busy.Release();
        await blocker.WaitAsync(HangGuard);
        var running = await kit.NextCallAsync();   // both requests are in this batch now

        await leaving.CancelAsync();
        await FailsAsync(leaver);
        running.Release();
        var answer = await stayer.WaitAsync(HangGuard);
        var owner = kit.Runner.Owners[^1];
        var before = owner.DisposeCount;
        answer.Dispose();

        Assert.Equal(2, running.Rows);
        Assert.Equal(0, before);
        Assert.Equal(1, owner.DisposeCount);
    }
}
