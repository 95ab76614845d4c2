using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Models;

/// <summary>Zero-filled inputs (dynamic dimensions as 1), to run a version before it serves.</summary>
public static class WarmUpInputs
{
    /// <summary>
    /// The batch sizes worth warming: 1 (a lone request), the preferred sizes and the largest batch, since ONNX
    /// Runtime's first run at a new size pays for allocation and kernel selection.
    /// </summary>
    public static IReadOnlyList<int> BatchSizes(ModelSignature signature, IReadOnlyList<int> preferred) =>
        signature.Batches ? new[] { 1 }.Concat(preferred).Append(signature.MaxBatchSize).Distinct().Order().ToArray() : [1];

    public static IReadOnlyList<InputTensor> Create(ModelSignature signature, int batchSize = 1)
    {
        var inputs = new List<InputTensor>(signature.Inputs.Count);
        foreach (var spec in signature.Inputs)
        {
            var shape = signature.FullShape(spec).Select(d => d == TensorShape.Dynamic ? 1 : d).ToArray();
            if (signature.Batches)
            {
                shape[0] = batchSize;
            }

            TensorShape.TryGetVolume(shape, out var volume);
            var bytes = spec.DataType == DataType.Bytes
                ? new byte[checked((int)volume * sizeof(uint))]          // every element the empty string
                : new byte[checked((int)volume * spec.DataType.ElementSize())];
            inputs.Add(new InputTensor(spec.Name, spec.DataType, shape, bytes));
        }

        return inputs;
    }
}
