using System.Buffers.Binary;
using Google.Protobuf;
using InferenceGrpc.TestModels.Onnx;

namespace InferenceGrpc.TestModels;

/// <summary>
/// Generates small but real ONNX models as bytes, for tests that need a model file and
/// cannot download one. All models target ONNX IR version <see cref="IrVersion"/> and the
/// default operator set at version <see cref="OpsetVersion"/>.
/// </summary>
/// <remarks>
/// Shapes are given as <c>long?[]</c>: a number is a fixed dimension, <c>null</c> is a symbolic
/// one (ONNX <c>dim_param</c>). The first dimension, when symbolic, is named <c>"batch"</c>; any
/// other symbolic dimension at index i is named <c>"d{i}"</c>. ONNX Runtime reports symbolic
/// dimensions as -1.
/// </remarks>
public static class TestModelFactory
{
    /// <summary>ONNX IR version written into every model.</summary>
    public const long IrVersion = 10;

    /// <summary>Version of the default (ai.onnx) operator set the models import.</summary>
    public const long OpsetVersion = 21;

    /// <summary>Producer name written into every model.</summary>
    public const string ProducerName = "InferenceGrpc.TestModels";

    /// <summary>File name a model gets inside a repository version folder.</summary>
    public const string ModelFileName = "model.onnx";

    /// <summary>Every element type this factory knows; <see cref="Identity"/> accepts all of them.</summary>
    public static IReadOnlyList<TensorElementKind> AllElementKinds { get; } = Enum.GetValues<TensorElementKind>();

    /// <summary>
    /// A one-node model: <paramref name="outputName"/> = Identity(<paramref name="inputName"/>), of any
    /// element type (including string, bool, float16 and bfloat16).
    /// </summary>
    public static byte[] Identity(
        TensorElementKind dtype,
        long?[] shape,
        string inputName = "INPUT0",
        string outputName = "OUTPUT0")
    {
        ArgumentNullException.ThrowIfNull(shape);
        ValidateKind(dtype);
        ValidateName(inputName, nameof(inputName));
        ValidateName(outputName, nameof(outputName));
        if (inputName == outputName)
        {
            throw new ArgumentException("Input and output names must differ.", nameof(outputName));
        }

        var graph = new GraphProto { Name = "identity" };
        graph.Input.Add(TensorValueInfo(inputName, dtype, shape));
        graph.Output.Add(TensorValueInfo(outputName, dtype, shape));
        graph.Node.Add(Node("Identity", "identity", [inputName], [outputName]));
        return Serialize(graph, "Identity of one tensor.");
    }

    /// <summary>
    /// Triton's classic "simple" model: inputs INPUT0 and INPUT1, outputs
    /// OUTPUT0 = INPUT0 + INPUT1 and OUTPUT1 = INPUT0 - INPUT1, all of the same type and shape.
    /// The default shape is <c>[batch, 16]</c>. The element type must be numeric (not string or bool).
    /// ONNX Runtime 1.31's CPU provider runs every numeric kind except <see cref="TensorElementKind.BFloat16"/>,
    /// whose model is valid ONNX but fails to load there (no bfloat16 Add kernel).
    /// </summary>
    public static byte[] AddSub(TensorElementKind dtype = TensorElementKind.Float, long?[]? shape = null)
    {
        ValidateKind(dtype);
        if (dtype is TensorElementKind.String or TensorElementKind.Bool)
        {
            throw new ArgumentException($"Add/Sub need a numeric element type, not {dtype}.", nameof(dtype));
        }

        shape ??= [null, 16];
        var graph = new GraphProto { Name = "add_sub" };
        graph.Input.Add(TensorValueInfo("INPUT0", dtype, shape));
        graph.Input.Add(TensorValueInfo("INPUT1", dtype, shape));
        graph.Output.Add(TensorValueInfo("OUTPUT0", dtype, shape));
        graph.Output.Add(TensorValueInfo("OUTPUT1", dtype, shape));
        graph.Node.Add(Node("Add", "add", ["INPUT0", "INPUT1"], ["OUTPUT0"]));
        graph.Node.Add(Node("Sub", "sub", ["INPUT0", "INPUT1"], ["OUTPUT1"]));
        return Serialize(graph, "OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 - INPUT1.");
    }

    /// <summary>
    /// A float32 model: <paramref name="outputName"/> = <paramref name="inputName"/> * <paramref name="factor"/>,
    /// where the factor is a scalar constant initializer (broadcast by Mul). Two models built with
    /// different factors stand in for two versions of one model. The default shape is <c>[batch, 4]</c>.
    /// </summary>
    public static byte[] Scale(
        float factor,
        long?[]? shape = null,
        string inputName = "INPUT0",
        string outputName = "OUTPUT0")
    {
        ValidateName(inputName, nameof(inputName));
        ValidateName(outputName, nameof(outputName));
        if (inputName == outputName)
        {
            throw new ArgumentException("Input and output names must differ.", nameof(outputName));
        }

        shape ??= [null, 4];
        const string factorName = "scale_factor";
        var raw = new byte[sizeof(float)];
        BinaryPrimitives.WriteSingleLittleEndian(raw, factor);

        var graph = new GraphProto { Name = "scale" };
        graph.Input.Add(TensorValueInfo(inputName, TensorElementKind.Float, shape));
        graph.Output.Add(TensorValueInfo(outputName, TensorElementKind.Float, shape));
        // A rank-0 (scalar) tensor: no dims.
        graph.Initializer.Add(new TensorProto
        {
            Name = factorName,
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(raw),
        });
        graph.Node.Add(Node("Mul", "mul", [inputName, factorName], [outputName]));
        return Serialize(graph, $"{outputName} = {inputName} * {factor.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
    }

    /// <summary>
    /// Bytes that are not a valid ONNX model (they do not even parse as protobuf), for tests of
    /// load failures. Always the same bytes.
    /// </summary>
    public static byte[] Corrupt()
    {
        // 't' (0x74) is read by protobuf as field 14 with wire type 4 (end-group) without a
        // matching start-group, so parsing fails on the very first byte; the 0xFF run after it
        // is an unterminated varint for good measure.
        var text = "this is not an onnx model"u8;
        var bytes = new byte[text.Length + 16];
        text.CopyTo(bytes);
        bytes.AsSpan(text.Length).Fill(0xFF);
        return bytes;
    }

    /// <summary>
    /// Writes <paramref name="modelBytes"/> to <c>&lt;repositoryRoot&gt;/&lt;modelName&gt;/&lt;version&gt;/model.onnx</c>
    /// (the Triton model repository layout), creating folders as needed and overwriting any file
    /// already there. Returns the full path of the written file.
    /// </summary>
    public static string WriteToRepository(string repositoryRoot, string modelName, long version, byte[] modelBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryRoot);
        ValidateName(modelName, nameof(modelName));
        ArgumentNullException.ThrowIfNull(modelBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        if (modelName.IndexOfAny(['/', '\\']) >= 0 || modelName is "." or "..")
        {
            throw new ArgumentException($"Model name '{modelName}' is not a single folder name.", nameof(modelName));
        }

        var versionDir = Path.Combine(repositoryRoot, modelName, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(versionDir);
        var path = Path.Combine(versionDir, ModelFileName);
        File.WriteAllBytes(path, modelBytes);
        return Path.GetFullPath(path);
    }

    /// <summary>Symbolic name used for a <c>null</c> dimension at <paramref name="index"/>.</summary>
    public static string SymbolicDimName(int index) => index == 0 ? "batch" : $"d{index}";

    private static NodeProto Node(string opType, string name, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }

    private static ValueInfoProto TensorValueInfo(string name, TensorElementKind dtype, long?[] shape)
    {
        var tensorShape = new TensorShapeProto();
        for (var i = 0; i < shape.Length; i++)
        {
            var dim = new TensorShapeProto.Types.Dimension();
            if (shape[i] is { } size)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(size, nameof(shape));
                dim.DimValue = size;
            }
            else
            {
                dim.DimParam = SymbolicDimName(i);
            }

            tensorShape.Dim.Add(dim);
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)dtype, Shape = tensorShape },
            },
        };
    }

    private static byte[] Serialize(GraphProto graph, string doc)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = ProducerName,
            ProducerVersion = "1",
            ModelVersion = 1,
            DocString = doc,
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        return model.ToByteArray();
    }

    private static void ValidateKind(TensorElementKind dtype)
    {
        if (!Enum.IsDefined(dtype))
        {
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown tensor element kind.");
        }
    }

    private static void ValidateName(string name, string paramName) =>
        ArgumentException.ThrowIfNullOrWhiteSpace(name, paramName);
}
