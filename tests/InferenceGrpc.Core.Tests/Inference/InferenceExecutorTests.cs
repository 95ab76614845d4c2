using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.Core.Tests.Fakes;
using static InferenceGrpc.Core.Tests.Fakes.Specs;

namespace InferenceGrpc.Core.Tests.Inference;

public sealed class InferenceExecutorTests
{
    private const string Model = "adder";

    private readonly ModelRegistry _registry = new();
    private readonly FakeModelRunner _runner;
    private readonly InferenceExecutor _executor;

    public InferenceExecutorTests()
    {
        // Outputs deliberately not in alphabetical order, to tell signature order from any sorting.
        var graph = Graph(
            [Tensor("INPUT0", DataType.Fp32, -1, 2)],
            [Tensor("SUM", DataType.Fp32, -1, 2), Tensor("DIFF", DataType.Fp32, -1, 2), Tensor("COUNT", DataType.Int64, -1)]);
        _runner = new FakeModelRunner(graph);
        var config = new ModelConfig { Name = Model };
        var signature = SignatureResolver.Resolve(config, graph, defaultMaxBatchSize: 8);
        _registry.SetModel(Model, config, null, [ModelVersion.Ready(Model, 3, config, signature, Schedulers.For(Model, 3, signature, _runner))]);
        _executor = new InferenceExecutor(_registry);
    }

    private static InferenceRequest Request(params string[] outputs) => new()
    {
        ModelName = Model,
        Inputs = [Input("INPUT0", DataType.Fp32, 2, 2)],
        RequestedOutputs = outputs,
    };

    [Fact]
    public async Task InferAsync_NoRequestedOutputs_RunsEveryOutputInSignatureOrder()
    {
        using var result = await _executor.InferAsync(Request(), CancellationToken.None);

        Assert.Equal(["SUM", "DIFF", "COUNT"], Assert.Single(_runner.Calls).OutputNames);
        Assert.Equal(["SUM", "DIFF", "COUNT"], result.Outputs.Select(o => o.Name));
    }

    [Fact]
    public async Task InferAsync_RequestedOutputs_RunsExactlyThoseInRequestedOrder()
    {
        using var result = await _executor.InferAsync(Request("COUNT", "SUM"), CancellationToken.None);

        Assert.Equal(["COUNT", "SUM"], Assert.Single(_runner.Calls).OutputNames);
        Assert.Equal(["COUNT", "SUM"], result.Outputs.Select(o => o.Name));
    }

    [Fact]
    public async Task InferAsync_ValidRequest_PassesTheRequestInputsToTheRunner()
    {
        var request = Request();

        using var result = await _executor.InferAsync(request, CancellationToken.None);

        var input = Assert.Single(Assert.Single(_runner.Calls).Inputs);
        Assert.Same(request.Inputs[0], input);
    }

    [Fact]
    public async Task InferAsync_ValidRequest_ResultCarriesModelNameAndVersion()
    {
        using var result = await _executor.InferAsync(Request(), CancellationToken.None);

        Assert.Equal(Model, result.ModelName);
        Assert.Equal(3, result.ModelVersion);
    }

    [Fact]
    public async Task InferAsync_ResultDisposed_DisposesTheRunnersOwner()
    {
        var result = await _executor.InferAsync(Request(), CancellationToken.None);

        result.Dispose();

        Assert.Equal(1, Assert.Single(_runner.Owners).DisposeCount);
    }

    [Fact]
    public async Task InferAsync_InvalidRequest_ThrowsInvalidArgumentWithoutRunning()
    {
        var request = new InferenceRequest { ModelName = Model, Inputs = [Input("INPUT0", DataType.Fp32, 2, 3)] };

        var ex = await Assert.ThrowsAsync<InferenceException>(() => _executor.InferAsync(request, CancellationToken.None));

        Assert.Equal(InferenceErrorKind.InvalidArgument, ex.Kind);
        Assert.Empty(_runner.Calls);
    }

    [Fact]
    public async Task InferAsync_UnknownModel_ThrowsNotFound()
    {
        var request = new InferenceRequest { ModelName = "missing", Inputs = [Input("INPUT0", DataType.Fp32, 2, 2)] };

        var ex = await Assert.ThrowsAsync<InferenceException>(() => _executor.InferAsync(request, CancellationToken.None));

        Assert.Equal(InferenceErrorKind.NotFound, ex.Kind);
    }

    [Fact]
    public async Task InferAsync_CancelledBeforeRun_ThrowsCancelledWithoutRunning()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        var ex = await Assert.ThrowsAsync<InferenceException>(() => _executor.InferAsync(Request(), cancellation.Token));

        Assert.Equal(InferenceErrorKind.Cancelled, ex.Kind);
        Assert.Empty(_runner.Calls);
    }

    [Fact]
    public async Task InferAsync_RunnerFails_PropagatesItsError()
    {
        _runner.OnRun = (_, _) => throw new InferenceException(InferenceErrorKind.Internal, "backend failed");

        var ex = await Assert.ThrowsAsync<InferenceException>(() => _executor.InferAsync(Request(), CancellationToken.None));

        Assert.Equal(InferenceErrorKind.Internal, ex.Kind);
    }

    [Fact]
    public async Task InferAsync_Success_ShowsEachObserverTheVersionRequestAndLiveResult()
    {
        var seen = new List<(long Version, InferenceRequest Request, string FirstOutput)>();
        var executor = new InferenceExecutor(_registry, observers: [new DelegateObserver(o =>
            seen.Add((o.Version.Version, o.Request, o.Result.Outputs[0].Name)))]);
        var request = Request("DIFF");

        using var result = await executor.InferAsync(request, CancellationToken.None);

        var (version, observed, output) = Assert.Single(seen);
        Assert.Equal(3, version);
        Assert.Same(request, observed);
        Assert.Equal("DIFF", output);
    }

    [Fact]
    public async Task InferAsync_ObserverThrows_RequestStillSucceedsAndLaterObserversRun()
    {
        var later = 0;
        var executor = new InferenceExecutor(_registry, observers:
        [
            new DelegateObserver(_ => throw new InvalidOperationException("observer bug")),
            new DelegateObserver(_ => later++),
        ]);

        using var result = await executor.InferAsync(Request(), CancellationToken.None);

        Assert.Equal(3, result.Outputs.Count);
        Assert.Equal(1, later);
    }

    [Fact]
    public async Task InferAsync_Failure_IsNotObserved()
    {
        var calls = 0;
        var executor = new InferenceExecutor(_registry, observers: [new DelegateObserver(_ => calls++)]);

        await Assert.ThrowsAsync<InferenceException>(() => executor.InferAsync(new InferenceRequest
        {
            ModelName = Model,
            Inputs = [Input("INPUT0", DataType.Fp32, 2, 3)],
        }, CancellationToken.None));

        Assert.Equal(0, calls);
    }

    private sealed class DelegateObserver(Action<InferenceObservation> action) : IInferenceObserver
    {
        public void OnCompleted(in InferenceObservation observation) => action(observation);
    }
}
