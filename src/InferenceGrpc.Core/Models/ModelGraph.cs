using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Models;

/// <summary>
/// The inputs and outputs a backend read from the model file itself: full shapes, -1 for symbolic dimensions.
/// </summary>
public sealed record ModelGraph(IReadOnlyList<TensorSpec> Inputs, IReadOnlyList<TensorSpec> Outputs);
