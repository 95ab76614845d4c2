namespace InferenceGrpc.Cli.Inputs;

/// <summary>
/// One tensor read from an input file, already in wire format: little-endian row-major
/// elements, or length-prefixed elements for BYTES.
/// </summary>
/// <param name="Name">Input name; null when the file does not say (a .npy file).</param>
internal sealed record InputTensor(string? Name, string Datatype, long[] Shape, byte[] Data);
