using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Monitoring;

/// <summary>
/// A tensor copied out of a request or result: request inputs and backend outputs are only valid during the
/// observer call, so whatever a background task looks at later must be copied first.
/// </summary>
public sealed record CopiedTensor(string Name, DataType DataType, long[] Shape, byte[] Data)
{
    public static CopiedTensor Of(InputTensor input) => new(input.Name, input.DataType, (long[])input.Shape.Clone(), input.Data.ToArray());

    public static CopiedTensor Of(OutputTensor output) => new(output.Name, output.DataType, (long[])output.Shape.Clone(), output.Data.ToArray());
}
