using Google.Protobuf;
using Inference;
using InferenceGrpc.Core.Batching;
using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using Microsoft.Extensions.Logging.Abstractions;
using DataType = InferenceGrpc.Core.Tensors.DataType;
using ModelConfig = InferenceGrpc.Core.Models.ModelConfig;

namespace InferenceGrpc.Microbenchmarks;

/// <summary>The text_direction model's contract (docs/MODELS.md) and a request of one 3×48×192 crop.</summary>
internal static class TextDirection
{
    public const string Model = "text_direction";
    public const string Input = "x";
    public const string Output = "softmax_0.tmp_0";
    public const int MaxBatchSize = 32;

    public static ModelSignature Signature { get; } = new(
        MaxBatchSize,
        [new TensorSpec(Input, DataType.Fp32, [3, 48, 192])],
        [new TensorSpec(Output, DataType.Fp32, [2])]);

    public static ModelInferRequest Request()
    {
        var values = new float[3 * 48 * 192];
        var random = new Random(42);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }

        var request = new ModelInferRequest { ModelName = Model, Id = "bench" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = Input, Datatype = "FP32" };
        input.Shape.Add([1, 3, 48, 192]);
        request.Inputs.Add(input);
        request.RawInputContents.Add(ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan())));
        return request;
    }

    /// <summary>A scheduler with the server's default policy (dynamic batching, no queue delay) over one instant instance.</summary>
    public static ModelScheduler Scheduler(IModelRunner runner) =>
        new(Model, 1, Signature, BatchingPolicy.Create(new ModelConfig { Name = Model }, Signature, new SchedulerOptions()),
            [runner], TimeProvider.System, NullLogger.Instance);
}

/// <summary>
/// A runner that takes no time: it answers [rows, 2] of constant probabilities from outputs prepared for every batch
/// size, so a benchmark through it measures only the code around the model.
/// </summary>
internal sealed class InstantRunner : IModelRunner
{
    private readonly OutputTensor[][] _outputs;

    public InstantRunner()
    {
        var probabilities = new float[TextDirection.MaxBatchSize * 2];
        Array.Fill(probabilities, 0.5f);
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(probabilities.AsSpan()).ToArray();
        _outputs = new OutputTensor[TextDirection.MaxBatchSize + 1][];
        for (var rows = 1; rows <= TextDirection.MaxBatchSize; rows++)
        {
            _outputs[rows] = [new OutputTensor(TextDirection.Output, DataType.Fp32, [rows, 2], bytes.AsMemory(0, rows * 2 * sizeof(float)))];
        }

        Graph = new ModelGraph(
            [new TensorSpec(TextDirection.Input, DataType.Fp32, [-1, 3, 48, 192])],
            [new TensorSpec(TextDirection.Output, DataType.Fp32, [-1, 2])]);
    }

    public ModelGraph Graph { get; }

    public string Device => "INSTANT";

    public RunResult Run(IReadOnlyList<InputTensor> inputs, IReadOnlyList<string> outputNames) =>
        new(_outputs[(int)inputs[0].Shape[0]], null);

    public void Dispose()
    {
    }
}
