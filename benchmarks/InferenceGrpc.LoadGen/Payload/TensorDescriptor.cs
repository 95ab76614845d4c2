namespace InferenceGrpc.LoadGen.Payload;

/// <summary>An input as a model describes it: protocol datatype name and full shape, -1 for a dimension of any size.</summary>
internal sealed record TensorDescriptor(string Name, string Datatype, long[] Shape);

/// <summary>An input ready to send: every dimension fixed, data in wire layout (little-endian, row-major).</summary>
internal sealed record GeneratedInput(string Name, string Datatype, long[] Shape, byte[] Data);
