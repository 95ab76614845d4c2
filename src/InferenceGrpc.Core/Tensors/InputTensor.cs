namespace InferenceGrpc.Core.Tensors;

/// <summary>
/// One input of a request: its raw little-endian bytes, not copied out of the request that carried them.
/// </summary>
/// <param name="Shape">The full shape as sent, batch dimension included.</param>
/// <param name="Data">Row-major little-endian elements; for BYTES the length-prefixed layout.</param>
public sealed record InputTensor(string Name, DataType DataType, long[] Shape, ReadOnlyMemory<byte> Data);
