using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.Processors.Execution;

namespace InferenceGrpc.Processors.Embeddings;

/// <summary>
/// FP32 hidden states [batch, seq, H] and INT64 attention mask [batch, seq] → FP32 embedding [batch, H]: the mean of
/// the hidden states where the mask is non-zero (sentence-transformers' mean pooling), then scaled to unit length
/// when <c>pool.normalize</c> is on. A row whose mask is all zeros pools to the zero vector.
/// </summary>
internal sealed class EmbeddingPoolRunner : IModelRunner
{
    private readonly PoolSettings _settings;

    public EmbeddingPoolRunner(PoolSettings settings)
    {
        _settings = settings;
        Graph = new ModelGraph(
            [
                new TensorSpec(settings.HiddenName, DataType.Fp32, [-1, -1, settings.HiddenSize]),
                new TensorSpec(settings.MaskName, DataType.Int64, [-1, -1]),
            ],
            [new TensorSpec(settings.OutputName, DataType.Fp32, [-1, settings.HiddenSize])]);
    }

    public ModelGraph Graph { get; }

    public string Device => "CPU";

    public RunResult Run(IReadOnlyList<InputTensor> inputs, IReadOnlyList<string> outputNames)
    {
        var hidden = ProcessorInputs.Find(inputs, _settings.HiddenName);
        var mask = ProcessorInputs.Find(inputs, _settings.MaskName);
        var (rows, seq, width) = (checked((int)hidden.Shape[0]), checked((int)hidden.Shape[1]), checked((int)hidden.Shape[2]));
        if (mask.Shape[0] != rows || mask.Shape[1] != seq)
        {
            throw new InferenceException(InferenceErrorKind.InvalidArgument,
                $"input '{_settings.MaskName}' has shape {InferenceException.DescribeShape(mask.Shape)} but '{_settings.HiddenName}' " +
                $"has {InferenceException.DescribeShape(hidden.Shape)}; expected [{rows},{seq}]");
        }

        var states = MemoryMarshal.Cast<byte, float>(hidden.Data.Span);
        var weights = MemoryMarshal.Cast<byte, long>(mask.Data.Span);
        var buffers = new OutputBuffers();
        try
        {
            var produced = new List<OutputTensor>(1);
            var output = buffers.RentZeroed<float>(_settings.OutputName, DataType.Fp32, [rows, width], produced);
            for (var r = 0; r < rows; r++)
            {
                var sum = output.Slice(r * width, width);
                var count = 0;
                for (var t = 0; t < seq; t++)
                {
                    if (weights[(r * seq) + t] != 0)
                    {
                        TensorPrimitives.Add(sum, states.Slice(((r * seq) + t) * width, width), sum);
                        count++;
                    }
                }

                if (count > 0)
                {
                    TensorPrimitives.Divide(sum, count, sum);
                }

                if (_settings.Normalize)
                {
                    // sentence-transformers' Normalize layer: x / max(||x||, 1e-12).
                    var norm = TensorPrimitives.Norm(sum);
                    TensorPrimitives.Divide(sum, MathF.Max(norm, 1e-12f), sum);
                }
            }

            return new RunResult(ProcessorInputs.InOrder(produced, outputNames), buffers);
        }
        catch
        {
            buffers.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
    }
}
