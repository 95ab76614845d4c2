namespace InferenceGrpc.Core.Tensors;

/// <summary>
/// A named tensor of a model's signature. <see cref="Dims"/> excludes the implicit batch dimension when the model
/// batches (Triton's convention); -1 marks a dimension of any size.
/// </summary>
public sealed record TensorSpec(string Name, DataType DataType, IReadOnlyList<long> Dims);
