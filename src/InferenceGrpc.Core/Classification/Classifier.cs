using System.Text;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Classification;

/// <summary>
/// Applies a request's classification asks (<see cref="InferenceRequest.Classifications"/>) to its result: each
/// such output becomes a BYTES tensor of "value:index[:label]" strings, shape [batch, k] for a model that batches,
/// [k] otherwise (k capped at the classes of a row), as Triton's classification extension.
/// </summary>
public static class Classifier
{
    /// <summary>Refuses, before anything runs, a classification of an output whose datatype has no order of classes.</summary>
    public static void Validate(InferenceRequest request, ModelSignature signature, string model)
    {
        if (request.Classifications.Count == 0)
        {
            return;   // the common case, without an enumerator
        }

        foreach (var (name, _) in request.Classifications)
        {
            if (signature.TryGetOutput(name, out var spec) && !TopK.Supports(spec.DataType))
            {
                InferenceException.ThrowInvalid(
                    $"model '{model}', requested output '{name}': the classification parameter needs a numeric output (an integer type, FP32 or FP64); the output is {spec.DataType.ToWireName()}");
            }
        }
    }

    /// <summary>
    /// The result with its classified outputs replaced; it owns <paramref name="result"/> (disposing it disposes
    /// that). Returns <paramref name="result"/> itself when the request asks for no classification.
    /// </summary>
    public static InferenceResult Apply(InferenceResult result, InferenceRequest request, ModelSignature signature,
        IReadOnlyDictionary<string, IReadOnlyList<string>> labels)
    {
        if (request.Classifications.Count == 0)
        {
            return result;
        }

        var outputs = new OutputTensor[result.Outputs.Count];
        for (var i = 0; i < outputs.Length; i++)
        {
            var output = result.Outputs[i];
            outputs[i] = request.Classifications.TryGetValue(output.Name, out var k)
                ? Classify(output, k, signature.Batches, labels.GetValueOrDefault(output.Name))
                : output;
        }

        return new InferenceResult(result.ModelName, result.ModelVersion, outputs, result) { Timing = result.Timing };
    }

    private static OutputTensor Classify(OutputTensor output, int k, bool batched, IReadOnlyList<string>? labels)
    {
        var rows = batched && output.Shape.Length > 0 ? (int)output.Shape[0] : 1;
        if (rows == 0)
        {
            return new OutputTensor(output.Name, DataType.Bytes, [0, 0], ReadOnlyMemory<byte>.Empty);
        }

        var classes = TopK.Classify(output.DataType, output.Data.Span, rows, k, labels);
        var perRow = classes.Length / rows;
        long[] shape = batched ? [rows, perRow] : [perRow];
        return new OutputTensor(output.Name, DataType.Bytes, shape, BytesTensor.Encode(classes.Select(Encoding.UTF8.GetBytes)));
    }
}
