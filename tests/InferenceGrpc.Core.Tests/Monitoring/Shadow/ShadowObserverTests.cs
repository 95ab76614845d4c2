using System.Runtime.InteropServices;
using System.Text;
using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Monitoring.Shadow;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.Core.Tests.Fakes;
using static InferenceGrpc.Core.Tests.Fakes.Specs;

namespace InferenceGrpc.Core.Tests.Monitoring.Shadow;

/// <summary>
/// A model of two versions over fake runners: OUT = IN × factor (FP32, 3 columns: classifier-like) and TAG, one
/// BYTES element per row. Version 2 is the primary (the default version); its config mirrors to version 1.
/// </summary>
public sealed class ShadowObserverTests : IAsyncLifetime
{
    private const string Requests = "inference.shadow.requests";

    private static readonly ModelGraph ModelGraph = Graph(
        [Tensor("IN", DataType.Fp32, -1, 3)],
        [Tensor("OUT", DataType.Fp32, -1, 3), Tensor("TAG", DataType.Bytes, -1, 1)]);

    private readonly string _model = "shadow-" + Guid.NewGuid().ToString("N")[..8];
    private readonly ModelRegistry _registry = new();
    private readonly TestMeterFactory _meters = new();
    private readonly MetricRecorder _metrics;
    private readonly RecordingLogger _logger = new();
    private ShadowObserver? _observer;

    public ShadowObserverTests() => _metrics = new MetricRecorder(_model);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_observer is not null)
        {
            await _observer.DisposeAsync();
        }

        _registry.Dispose();
        _metrics.Dispose();
        _meters.Dispose();
    }

    private static readonly float[] Input = [1, 5, 2, 3, 0, 1];

    /// <summary>Serves versions 1 (candidate) and 2 (primary) and returns an executor with the shadow observer.</summary>
    private InferenceExecutor Serve(IModelRunner candidate, IModelRunner primary, string candidateVersion = "1", int maxInFlight = 32, bool candidateReady = true)
    {
        var config = new ModelConfig
        {
            Name = _model,
            Parameters = new Dictionary<string, string> { ["shadow.version"] = candidateVersion, ["shadow.fraction"] = "1" },
        };
        var signature = SignatureResolver.Resolve(config, ModelGraph, defaultMaxBatchSize: 8);
        var one = candidateReady
            ? ModelVersion.Ready(_model, 1, config, signature, Schedulers.For(_model, 1, signature, candidate))
            : ModelVersion.Unavailable(_model, 1, config, "unloaded");
        _registry.SetModel(_model, config, null, [one, ModelVersion.Ready(_model, 2, config, signature, Schedulers.For(_model, 2, signature, primary))]);
        _observer = new ShadowObserver(_registry, new ShadowOptions { MaxInFlight = maxInFlight }, _meters,
            new Microsoft.Extensions.Logging.Logger<ShadowObserver>(new RecordingLoggerFactory(_logger)), TimeProvider.System);
        return new InferenceExecutor(_registry, observers: [_observer]);
    }

    private InferenceRequest Request() => new()
    {
        ModelName = _model,
        Inputs = [new InputTensor("IN", DataType.Fp32, [2, 3], MemoryMarshal.AsBytes(Input.AsSpan()).ToArray())],
    };

    /// <summary>OUT = IN × factor, TAG = <paramref name="tag"/> for every row; <paramref name="gate"/> holds each run until set.</summary>
    private static FakeModelRunner Scale(float factor, string tag, ManualResetEventSlim? gate = null) => new(ModelGraph)
    {
        OnRun = (inputs, names) =>
        {
            gate?.Wait(MetricRecorder.HangGuard);
            var values = TensorValues.Floats(inputs[0]).Select(v => v * factor).ToArray();
            var rows = inputs[0].Shape[0];
            var outputs = names.Select(name => name == "OUT"
                ? new OutputTensor("OUT", DataType.Fp32, [rows, 3], MemoryMarshal.AsBytes(values.AsSpan()).ToArray())
                : new OutputTensor("TAG", DataType.Bytes, [rows, 1], BytesTensor.Encode(Enumerable.Repeat(Encoding.UTF8.GetBytes(tag), (int)rows))));
            return new RunResult(outputs.ToArray(), null);
        },
    };

    private Task Compared(int count) => _metrics.WaitUntilAsync(m => m.Sum(Requests, ("outcome", "compared")) >= count);

    private Task Failed(int count) => _metrics.WaitUntilAsync(m => m.Sum(Requests, ("outcome", "failed")) >= count);

    [Fact]
    public async Task OnCompleted_IdenticalVersions_ZeroDifferenceFullAgreementAndEqualOutputs()
    {
        var executor = Serve(candidate: Scale(1, "same"), primary: Scale(1, "same"));

        using (await executor.InferAsync(Request(), CancellationToken.None))
        {
        }

        await Compared(1);
        var pair = new[] { ("version", "2"), ("candidate", "1"), ("output", "OUT") };
        Assert.Equal([0.0], _metrics.Of("inference.shadow.max_abs_difference", pair).Select(m => m.Value));
        Assert.Equal(2, _metrics.Sum("inference.shadow.argmax", [.. pair, ("outcome", "agree")]));
        Assert.Equal(0, _metrics.Sum("inference.shadow.argmax", [.. pair, ("outcome", "disagree")]));
        Assert.Equal(1, _metrics.Sum("inference.shadow.outputs", ("output", "OUT"), ("outcome", "equal")));
        Assert.Equal(1, _metrics.Sum("inference.shadow.outputs", ("output", "TAG"), ("outcome", "equal")));
        Assert.Single(_metrics.Of("inference.shadow.duration", ("version", "2"), ("candidate", "1")));
    }

    [Fact]
    public async Task OnCompleted_DifferentVersions_ReportsTheMaxAbsDifferenceAndDisagreement()
    {
        var executor = Serve(candidate: Scale(-1, "negated"), primary: Scale(1, "plain"));

        using (await executor.InferAsync(Request(), CancellationToken.None))
        {
        }

        await Compared(1);
        // |x - (-x)| is largest for x = 5: 10. Row [1,5,2] → argmax 1 vs 0; row [3,0,1] → 0 vs 1 (-0 > -1 > -3).
        Assert.Equal([10.0], _metrics.Of("inference.shadow.max_abs_difference", ("output", "OUT")).Select(m => m.Value));
        Assert.Equal(0, _metrics.Sum("inference.shadow.argmax", ("output", "OUT"), ("outcome", "agree")));
        Assert.Equal(2, _metrics.Sum("inference.shadow.argmax", ("output", "OUT"), ("outcome", "disagree")));
        Assert.Equal(1, _metrics.Sum("inference.shadow.outputs", ("output", "TAG"), ("outcome", "different")));
        Assert.Empty(_metrics.Of("inference.shadow.max_abs_difference", ("output", "TAG")));
    }

    [Fact]
    public async Task InferAsync_ShadowOn_CallerGetsThePrimarysAnswer()
    {
        var executor = Serve(candidate: Scale(-1, "negated"), primary: Scale(1, "plain"));

        using var result = await executor.InferAsync(Request(), CancellationToken.None);

        Assert.Equal(2, result.ModelVersion);
        Assert.Equal(Input, TensorValues.Floats(result.Outputs.Single(o => o.Name == "OUT")));
        Assert.Equal(["plain", "plain"], TensorValues.Strings(result.Outputs.Single(o => o.Name == "TAG")));
        await Compared(1);
    }

    [Fact]
    public async Task OnCompleted_CandidateNotServed_CountsFailedAndTheCallerSucceeds()
    {
        var executor = Serve(candidate: Scale(1, "x"), primary: Scale(1, "x"), candidateVersion: "7");

        using var result = await executor.InferAsync(Request(), CancellationToken.None);

        await Failed(1);
        Assert.Equal(Input, TensorValues.Floats(result.Outputs.Single(o => o.Name == "OUT")));
        Assert.Equal(0, _metrics.Sum(Requests, ("outcome", "compared")));
        Assert.Contains(_logger.Entries, e => e.EventId.Name == "ShadowCandidateNotServed");
    }

    [Fact]
    public async Task OnCompleted_CandidateUnloaded_CountsFailedAndTheCallerSucceeds()
    {
        var executor = Serve(candidate: Scale(1, "x"), primary: Scale(1, "x"), candidateReady: false);

        using var result = await executor.InferAsync(Request(), CancellationToken.None);

        await Failed(1);
        Assert.Equal(2, result.ModelVersion);
    }

    [Fact]
    public async Task OnCompleted_CandidateStuckAtTheInFlightBound_DropsTheRestWhileThePrimaryAnswers()
    {
        using var gate = new ManualResetEventSlim();
        var executor = Serve(candidate: Scale(1, "x", gate), primary: Scale(1, "x"), maxInFlight: 1);

        for (var i = 0; i < 3; i++)
        {
            // Each primary answer comes back while the candidate's first shadow request is still held at its gate.
            using var result = await executor.InferAsync(Request(), CancellationToken.None);
            Assert.Equal(2, result.ModelVersion);
        }

        Assert.Equal(2, _metrics.Sum(Requests, ("outcome", "dropped")));
        Assert.Equal(1, _observer!.InFlight);
        gate.Set();
        await Compared(1);
    }

    [Fact]
    public async Task OnCompleted_RequestToTheCandidateItself_IsNotMirrored()
    {
        var candidate = Scale(1, "x");
        var executor = Serve(candidate, primary: Scale(1, "x"));

        var toCandidate = new InferenceRequest { ModelName = _model, ModelVersion = "1", Inputs = Request().Inputs };

        using (await executor.InferAsync(toCandidate, CancellationToken.None))
        {
        }

        await _observer!.DisposeAsync();
        Assert.Single(candidate.Calls);
        Assert.Equal(0, _metrics.Sum(Requests));
    }

    private sealed class RecordingLoggerFactory(RecordingLogger logger) : Microsoft.Extensions.Logging.ILoggerFactory
    {
        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => logger;

        public void AddProvider(Microsoft.Extensions.Logging.ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }
}
