using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using InferenceGrpc.Core.Diagnostics;
using InferenceGrpc.Core.Batching;
using InferenceGrpc.Core.Ensembles;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using Microsoft.Extensions.Logging.Abstractions;
using static InferenceGrpc.Core.Tests.Fakes.Specs;

namespace InferenceGrpc.Core.Tests.Ensembles;

/// <summary>
/// Fake step models for ensemble tests, run by an <see cref="EnsembleStepInvoker"/> that records each call, can hold
/// a model's calls at a gate, and gives each result an owner whose disposal it counts. All tensors are FP32 [4]
/// (no batch dimension): "scale2" Y = 2X, "plus1" Y = X + 1, "add" SUM = A + B.
/// </summary>
internal sealed class StepModels
{
    public static readonly ModelSignature Scale2 = Signature(0, [Tensor("X", DataType.Fp32, 4)], [Tensor("Y", DataType.Fp32, 4)]);
    public static readonly ModelSignature Plus1 = Scale2;
    public static readonly ModelSignature Add = Signature(0, [Tensor("A", DataType.Fp32, 4), Tensor("B", DataType.Fp32, 4)], [Tensor("SUM", DataType.Fp32, 4)]);

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _entered = new();
    private readonly ConcurrentDictionary<string, InferenceException> _failures = new();

    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Every result handed out, by model, with its owner.</summary>
    public ConcurrentDictionary<string, CountingOwner> Owners { get; } = new();

    /// <summary>The token each model's call was given.</summary>
    public ConcurrentDictionary<string, CancellationToken> Tokens { get; } = new();

    public static StepModel Lookup(EnsembleStep step) => step.ModelName switch
    {
        "scale2" => new StepModel(Scale2, null),
        "plus1" => new StepModel(Plus1, null),
        "add" => new StepModel(Add, null),
        _ => new StepModel(null, "is not loaded"),
    };

    /// <summary>Holds calls to <paramref name="model"/> until <see cref="Release"/>.</summary>
    public void Gate(string model) => _gates[model] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release(string model) => _gates[model].TrySetResult();

    /// <summary>Completes once <paramref name="model"/> has been called.</summary>
    public Task Entered(string model) => _entered.GetOrAdd(model, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Fail(string model, InferenceException failure) => _failures[model] = failure;

    public async Task<InferenceResult> InvokeAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        var model = request.ModelName;
        Calls.Enqueue(model);
        Tokens[model] = cancellationToken;
        _entered.GetOrAdd(model, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        if (_gates.TryGetValue(model, out var gate))
        {
            try
            {
                await gate.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw new InferenceException(InferenceErrorKind.Cancelled, "cancelled while queued");
            }
        }

        if (_failures.TryGetValue(model, out var failure))
        {
            throw failure;
        }

        float[] Read(string name) => MemoryMarshal.Cast<byte, float>(request.Inputs.Single(i => i.Name == name).Data.Span).ToArray();
        var (output, values) = model switch
        {
            "scale2" => ("Y", Read("X").Select(v => 2 * v).ToArray()),
            "plus1" => ("Y", Read("X").Select(v => v + 1).ToArray()),
            "add" => ("SUM", Read("A").Zip(Read("B"), (a, b) => a + b).ToArray()),
            _ => throw InferenceException.ModelNotFound(model),
        };

        Assert.Equal([output], request.RequestedOutputs);
        var owner = Owners[model] = new CountingOwner();
        var tensor = new OutputTensor(output, DataType.Fp32, [values.Length], MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        return new InferenceResult(model, 1, [tensor], owner) { Timing = new InferenceTiming(TimeSpan.FromTicks(10), TimeSpan.Zero, 1) };
    }

    /// <summary>A scheduler over the plan built from <paramref name="scheduling"/> and these step models.</summary>
    public EnsembleScheduler Scheduler(EnsembleScheduling scheduling, ModelSignature signature) =>
        new(EnsemblePlan.Build("ens", signature, scheduling, Lookup), 1, InvokeAsync, TimeProvider.System, NullLogger.Instance,
            new SchedulerTelemetry(null, VersionTags.For("ens", 1), new ModelStatistics(signature.MaxBatchSize)));

    public static EnsembleStep Step(string model, (string Key, string Value)[] inputs, (string Key, string Value)[] outputs) =>
        new(model, EnsembleStep.Latest, inputs.ToDictionary(p => p.Key, p => p.Value), outputs.ToDictionary(p => p.Key, p => p.Value));

    /// <summary>
    /// IN → scale2 → D; IN → plus1 → P; (D, P) → add → OUT, so OUT = 3·IN + 1. Also P is an ensemble output.
    /// </summary>
    public static EnsembleScheduling Diamond { get; } = new([
        Step("scale2", [("X", "IN")], [("Y", "D")]),
        Step("plus1", [("X", "IN")], [("Y", "P")]),
        Step("add", [("A", "D"), ("B", "P")], [("SUM", "OUT")]),
    ]);

    public static ModelSignature DiamondSignature { get; } =
        Signature(0, [Tensor("IN", DataType.Fp32, 4)], [Tensor("OUT", DataType.Fp32, 4), Tensor("P", DataType.Fp32, 4)]);

    public static InferenceRequest Request(params string[] outputs) => new()
    {
        ModelName = "ens",
        Inputs = [new InputTensor("IN", DataType.Fp32, [4], MemoryMarshal.AsBytes(new float[] { 1, 2, 3, 4 }.AsSpan()).ToArray())],
        RequestedOutputs = outputs,
    };
}

internal sealed class CountingOwner : IDisposable
{
    private int _count;

    public int DisposeCount => Volatile.Read(ref _count);

    public void Dispose() => Interlocked.Increment(ref _count);
}
