using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Tests.Fakes;

/// <summary>Short builders for tensors, graphs and signatures.</summary>
internal static class Specs
{
    public static TensorSpec Tensor(string name, DataType type, params long[] dims) => new(name, type, dims);

    public static ModelGraph Graph(IReadOnlyList<TensorSpec> inputs, IReadOnlyList<TensorSpec> outputs) => new(inputs, outputs);

    public static ModelSignature Signature(int maxBatchSize, IReadOnlyList<TensorSpec> inputs, IReadOnlyList<TensorSpec> outputs) =>
        new(maxBatchSize, inputs, outputs);

    /// <summary>A zero-filled input of the size its shape needs (not BYTES).</summary>
    public static InputTensor Input(string name, DataType type, params long[] shape)
    {
        TensorShape.TryGetVolume(shape, out var volume);
        return new InputTensor(name, type, shape, new byte[volume * type.ElementSize()]);
    }
}
