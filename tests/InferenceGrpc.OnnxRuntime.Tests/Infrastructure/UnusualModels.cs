using Google.Protobuf;
using InferenceGrpc.TestModels;
using InferenceGrpc.TestModels.Onnx;

namespace InferenceGrpc.OnnxRuntime.Tests.Infrastructure;

/// <summary>
/// Valid ONNX models the server must refuse, which <see cref="TestModelFactory"/> does not make: a sequence input and a
/// complex64 tensor. Built on the factory's protobuf subset.
/// </summary>
internal static class UnusualModels
{
    private const int Float8E4M3Fn = 17;
    private const int Int64 = (int)TensorElementKind.Int64;
    private const int Float = (int)TensorElementKind.Float;

    /// <summary>LENGTH = SequenceLength(SEQUENCE), with SEQUENCE a sequence of float tensors.</summary>
    public static byte[] SequenceInput()
    {
        // The subset has no TypeProto.Sequence, so write field 4 (sequence_type { elem_type = 1 }) by hand;
        // protobuf keeps it as an unknown field and writes it back out.
        var element = Tensor(Float, [null]).ToByteArray();
        var sequence = LengthDelimited(1, element);
        var type = TypeProto.Parser.ParseFrom(LengthDelimited(4, sequence));

        var graph = new GraphProto { Name = "sequence_length" };
        graph.Input.Add(new ValueInfoProto { Name = "SEQUENCE", Type = type });
        graph.Output.Add(new ValueInfoProto { Name = "LENGTH", Type = Tensor(Int64, []) });
        graph.Node.Add(Node("SequenceLength", "SEQUENCE", "LENGTH"));
        return Model(graph);
    }

    /// <summary>OUTPUT0 = Identity(INPUT0) on float8 (E4M3FN), an element type the protocol has no name for.</summary>
    /// <remarks>Not complex64: ORT 1.31 refuses to load any complex tensor ("MLDataType ... not registered").</remarks>
    public static byte[] Float8Identity()
    {
        var graph = new GraphProto { Name = "float8_identity" };
        graph.Input.Add(new ValueInfoProto { Name = "INPUT0", Type = Tensor(Float8E4M3Fn, [null, 2]) });
        graph.Output.Add(new ValueInfoProto { Name = "OUTPUT0", Type = Tensor(Float8E4M3Fn, [null, 2]) });
        graph.Node.Add(Node("Identity", "INPUT0", "OUTPUT0"));
        return Model(graph);
    }

    private static TypeProto Tensor(int elementType, long?[] shape)
    {
        var tensorShape = new TensorShapeProto();
        foreach (var dim in shape)
        {
            tensorShape.Dim.Add(dim is { } size ? new TensorShapeProto.Types.Dimension { DimValue = size } : new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        }

        return new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elementType, Shape = tensorShape } };
    }

    private static NodeProto Node(string opType, string input, string output)
    {
        var node = new NodeProto { OpType = opType, Name = opType.ToLowerInvariant() };
        node.Input.Add(input);
        node.Output.Add(output);
        return node;
    }

    private static byte[] Model(GraphProto graph)
    {
        var model = new ModelProto { IrVersion = TestModelFactory.IrVersion, ProducerName = "InferenceGrpc.OnnxRuntime.Tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = TestModelFactory.OpsetVersion });
        return model.ToByteArray();
    }

    private static byte[] LengthDelimited(int field, byte[] payload)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(payload));
        output.Flush();
        return stream.ToArray();
    }
}
