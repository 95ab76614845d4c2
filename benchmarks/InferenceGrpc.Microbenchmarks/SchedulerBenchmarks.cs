using BenchmarkDotNet.Attributes;
using Inference;
using InferenceGrpc.Core.Batching;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Server.Protocol;
using ModelConfig = InferenceGrpc.Core.Models.ModelConfig;

namespace InferenceGrpc.Microbenchmarks;

/// <summary>
/// Core's scheduler with an instant runner: the cost of queueing a request, forming its batch, running it on the
/// thread pool and completing the caller, alone and as 32 concurrent callers (which batch together); and the whole
/// server path (decode → executor → scheduler → encode) without gRPC.
/// </summary>
[MemoryDiagnoser]
public class SchedulerBenchmarks
{
    private const int Burst = 32;

    private readonly Task<InferenceResult>[] _burst = new Task<InferenceResult>[Burst];
    private ModelScheduler _scheduler = null!;
    private ModelRegistry _registry = null!;
    private InferenceExecutor _executor = null!;
    private ModelInferRequest _wireRequest = null!;
    private InferenceRequest _request = null!;

    [GlobalSetup]
    public void Setup()
    {
        _wireRequest = TextDirection.Request();
        _request = RequestDecoder.Decode(_wireRequest);
        _scheduler = TextDirection.Scheduler(new InstantRunner());

        _registry = new ModelRegistry();
        var config = new ModelConfig { Name = TextDirection.Model };
        _registry.SetModel(TextDirection.Model, config, null,
            [ModelVersion.Ready(TextDirection.Model, 1, config, TextDirection.Signature, TextDirection.Scheduler(new InstantRunner()))]);
        _executor = new InferenceExecutor(_registry);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _scheduler.Dispose();
        _registry.Dispose();
    }

    /// <summary>One caller: enqueue, batch of one, run, complete.</summary>
    [Benchmark]
    public async Task EnqueueComplete()
    {
        using var result = await _scheduler.EnqueueAsync(_request, 1, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>32 callers at once, per request: they share batches while the instance is busy.</summary>
    [Benchmark(OperationsPerInvoke = Burst)]
    public async Task EnqueueComplete32Concurrent()
    {
        for (var i = 0; i < Burst; i++)
        {
            _burst[i] = _scheduler.EnqueueAsync(_request, 1, CancellationToken.None);
        }

        for (var i = 0; i < Burst; i++)
        {
            (await _burst[i].ConfigureAwait(false)).Dispose();
        }
    }

    /// <summary>ModelInfer's body without gRPC: decode, resolve + validate + schedule, encode.</summary>
    [Benchmark]
    public async Task<ModelInferResponse> ServerPath()
    {
        var decoded = RequestDecoder.Decode(_wireRequest);
        using var result = await _executor.InferAsync(decoded, CancellationToken.None).ConfigureAwait(false);
        return ResponseEncoder.Encode(result, _wireRequest.Id);
    }
}
