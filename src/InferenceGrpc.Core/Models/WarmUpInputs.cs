using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Models;

/// <summary>Zero-filled inputs of batch 1 (dynamic dimensions as 1), to run a version once before it serves.</summary>
public static class WarmUpInputs
{
    public static IReadOnlyList<InputTensor> Create(ModelSignature signature)
    {
        var inputs = new List<InputTensor>(signature.Inputs.Count);
        foreach (var spec in signature.Inputs)
        {
            var shape = signature.FullShape(spec).Select(d => d == TensorShape.Dynamic ? 1 : d).ToArray();
            TensorShape.TryGetVolume(shape, out var volume);
            var bytes = spec.DataType == DataType.Bytes
                ? new byte[checked((int)volume * sizeof(uint))]          // every element the empty string
                : new byte[checked((int)volume * spec.DataType.ElementSize())];
            inputs.Add(new InputTensor(spec.Name, spec.DataType, shape, bytes));
        }

        return inputs;
    }
}
