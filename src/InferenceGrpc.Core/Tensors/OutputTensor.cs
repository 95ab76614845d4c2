namespace InferenceGrpc.Core.Tensors;

/// <summary>
/// One output of an inference. <see cref="Data"/> may point into memory owned by the backend: it is valid until
/// the <see cref="Inference.InferenceResult"/> that holds it is disposed.
/// </summary>
public sealed record OutputTensor(string Name, DataType DataType, long[] Shape, ReadOnlyMemory<byte> Data);
