using System.Numerics;
using InferenceGrpc.TestModels.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace InferenceGrpc.TestModels.Tests;

public sealed class TestModelFactoryTests
{
    public static TheoryData<TensorElementKind> AllKinds()
    {
        var data = new TheoryData<TensorElementKind>();
        foreach (var kind in TestModelFactory.AllElementKinds)
        {
            data.Add(kind);
        }

        return data;
    }

    [Fact]
    public void ElementKindValuesMatchOnnxAndOrt()
    {
        foreach (var kind in TestModelFactory.AllElementKinds)
        {
            var onnx = (TensorProto.Types.DataType)(int)kind;
            Assert.True(Enum.IsDefined(onnx), $"{kind} is not an ONNX data type");
            Assert.Equal(kind.ToString(), onnx.ToString(), ignoreCase: true);
            var ort = (TensorElementType)(int)kind;
            Assert.True(Enum.IsDefined(ort), $"{kind} is not an ORT element type");
        }

        Assert.Equal(14, TestModelFactory.AllElementKinds.Count);
        Assert.Equal(TensorElementType.Float, (TensorElementType)(int)TensorElementKind.Float);
        Assert.Equal(TensorElementType.BFloat16, (TensorElementType)(int)TensorElementKind.BFloat16);
    }

    [Fact]
    public void GeneratedBytesParseBackAsOnnxModel()
    {
        var model = ModelProto.Parser.ParseFrom(TestModelFactory.Identity(TensorElementKind.Int64, [null, 3]));

        Assert.Equal(TestModelFactory.IrVersion, model.IrVersion);
        var opset = Assert.Single(model.OpsetImport);
        Assert.Equal("", opset.Domain);
        Assert.Equal(TestModelFactory.OpsetVersion, opset.Version);
        var node = Assert.Single(model.Graph.Node);
        Assert.Equal("Identity", node.OpType);
        var input = Assert.Single(model.Graph.Input);
        Assert.Equal((int)TensorProto.Types.DataType.Int64, input.Type.TensorType.ElemType);
        Assert.Equal("batch", input.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue, input.Type.TensorType.Shape.Dim[1].ValueCase);
        Assert.Equal(3, input.Type.TensorType.Shape.Dim[1].DimValue);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void IdentityLoadsWithExpectedMetadata(TensorElementKind kind)
    {
        using var session = Ort.Load(TestModelFactory.Identity(kind, [null, 3]));

        foreach (var (name, meta) in new[]
                 {
                     Assert.Single(session.InputMetadata),
                     Assert.Single(session.OutputMetadata),
                 }.Select(kv => (kv.Key, kv.Value)))
        {
            Assert.Contains(name, new[] { "INPUT0", "OUTPUT0" });
            Assert.True(meta.IsTensor);
            Assert.Equal(OnnxValueType.ONNX_TYPE_TENSOR, meta.OnnxValueType);
            Assert.Equal((TensorElementType)(int)kind, meta.ElementDataType);
            Assert.Equal([-1, 3], meta.Dimensions);
            Assert.Equal(["batch", ""], meta.SymbolicDimensions);
        }

        Assert.Equal("INPUT0", session.InputNames.Single());
        Assert.Equal("OUTPUT0", session.OutputNames.Single());
    }

    [Fact]
    public void IdentityHonoursCustomNamesFixedAndScalarShapes()
    {
        using (var session = Ort.Load(TestModelFactory.Identity(TensorElementKind.Int32, [2, 5], "x", "y")))
        {
            Assert.Equal("x", session.InputNames.Single());
            Assert.Equal("y", session.OutputNames.Single());
            Assert.Equal([2, 5], session.InputMetadata["x"].Dimensions);
            Assert.Equal(["", ""], session.InputMetadata["x"].SymbolicDimensions);
        }

        using (var session = Ort.Load(TestModelFactory.Identity(TensorElementKind.Double, [null, null, 4])))
        {
            Assert.Equal([-1, -1, 4], session.InputMetadata["INPUT0"].Dimensions);
            Assert.Equal(["batch", "d1", ""], session.InputMetadata["INPUT0"].SymbolicDimensions);
        }

        using (var session = Ort.Load(TestModelFactory.Identity(TensorElementKind.Float, [])))
        {
            Assert.Empty(session.InputMetadata["INPUT0"].Dimensions);
            using var input = OrtValue.CreateTensorValueFromMemory(new[] { 4.5f }, []);
            using var outputs = Ort.Run(session, [("INPUT0", input)], "OUTPUT0");
            Assert.Empty(outputs[0].GetTensorTypeAndShape().Shape);
            Assert.Equal(4.5f, outputs[0].GetTensorDataAsSpan<float>()[0]);
        }
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void IdentityRoundTripsValues(TensorElementKind kind)
    {
        switch (kind)
        {
            case TensorElementKind.Float: RoundTrip(kind, [1.5f, -2.25f, 0f, float.MaxValue, float.NegativeInfinity, 1e-30f]); break;
            case TensorElementKind.UInt8: RoundTrip(kind, new byte[] { 0, 1, 127, 128, 200, 255 }); break;
            case TensorElementKind.Int8: RoundTrip(kind, new sbyte[] { -128, -1, 0, 1, 64, 127 }); break;
            case TensorElementKind.UInt16: RoundTrip(kind, new ushort[] { 0, 1, 300, 32768, 60000, 65535 }); break;
            case TensorElementKind.Int16: RoundTrip(kind, new short[] { short.MinValue, -300, 0, 1, 300, short.MaxValue }); break;
            case TensorElementKind.Int32: RoundTrip(kind, [int.MinValue, -7, 0, 1, 7, int.MaxValue]); break;
            case TensorElementKind.Int64: RoundTrip(kind, [long.MinValue, -7L, 0L, 1L, 1L << 40, long.MaxValue]); break;
            case TensorElementKind.Bool: RoundTrip(kind, [true, false, false, true, true, false]); break;
            case TensorElementKind.Float16:
                RoundTrip(kind, new[] { 1.5f, -2.25f, 0f, 65504f, float.PositiveInfinity, 0.099975586f }.Select(f => (Float16)f).ToArray());
                break;
            case TensorElementKind.Double: RoundTrip(kind, [Math.PI, -Math.E, 0d, double.MaxValue, double.Epsilon, -1e300]); break;
            case TensorElementKind.UInt32: RoundTrip(kind, [0u, 1u, 70000u, 1u << 31, uint.MaxValue - 1, uint.MaxValue]); break;
            case TensorElementKind.UInt64: RoundTrip(kind, [0ul, 1ul, 1ul << 40, 1ul << 63, ulong.MaxValue - 1, ulong.MaxValue]); break;
            case TensorElementKind.BFloat16:
                RoundTrip(kind, new[] { 1.5f, -2.25f, 0f, 3.3895314e38f, float.NegativeInfinity, 0.1f }.Select(f => (BFloat16)f).ToArray());
                break;
            case TensorElementKind.String:
                RoundTripStrings(["", "a", "hello world", "ünïcødé ✓", "tab\tnew\nline", new string('x', 1000)]);
                break;
            default:
                Assert.Fail($"No round-trip case for {kind}");
                break;
        }
    }

    private static void RoundTrip<T>(TensorElementKind kind, T[] data)
        where T : unmanaged
    {
        Assert.Equal(6, data.Length);
        using var session = Ort.Load(TestModelFactory.Identity(kind, [null, 3]));
        using var input = OrtValue.CreateTensorValueFromMemory(data, [2, 3]);
        using var outputs = Ort.Run(session, [("INPUT0", input)], "OUTPUT0");

        var output = Assert.Single(outputs);
        var info = output.GetTensorTypeAndShape();
        Assert.Equal((TensorElementType)(int)kind, info.ElementDataType);
        Assert.Equal([2, 3], info.Shape);
        Assert.Equal(data, output.GetTensorDataAsSpan<T>().ToArray());
    }

    private static void RoundTripStrings(string[] data)
    {
        using var session = Ort.Load(TestModelFactory.Identity(TensorElementKind.String, [null, 3]));
        using var input = Ort.StringTensor(data, [2, 3]);
        using var outputs = Ort.Run(session, [("INPUT0", input)], "OUTPUT0");

        var output = Assert.Single(outputs);
        var info = output.GetTensorTypeAndShape();
        Assert.Equal(TensorElementType.String, info.ElementDataType);
        Assert.Equal([2, 3], info.Shape);
        Assert.Equal(data, output.GetStringTensorAsArray());
    }

    [Fact]
    public void IdentityAcceptsAnyBatchSize()
    {
        using var session = Ort.Load(TestModelFactory.Identity(TensorElementKind.Int64, [null, 2]));
        foreach (var batch in new[] { 1, 4, 17 })
        {
            var data = Enumerable.Range(0, batch * 2).Select(i => (long)i * 3).ToArray();
            using var input = OrtValue.CreateTensorValueFromMemory(data, [batch, 2]);
            using var outputs = Ort.Run(session, [("INPUT0", input)], "OUTPUT0");
            Assert.Equal([batch, 2], outputs[0].GetTensorTypeAndShape().Shape);
            Assert.Equal(data, outputs[0].GetTensorDataAsSpan<long>().ToArray());
        }
    }

    [Fact]
    public void IdentityRejectsWrongFixedDimensionAtRunTime()
    {
        using var session = Ort.Load(TestModelFactory.Identity(TensorElementKind.Float, [null, 3]));
        using var input = OrtValue.CreateTensorValueFromMemory(new float[8], [2, 4]);
        Assert.Throws<OnnxRuntimeException>(() => Ort.Run(session, [("INPUT0", input)], "OUTPUT0").Dispose());
    }

    [Fact]
    public void AddSubHasTritonSimpleSignature()
    {
        using var session = Ort.Load(TestModelFactory.AddSub());

        Assert.Equal(["INPUT0", "INPUT1"], session.InputNames);
        Assert.Equal(["OUTPUT0", "OUTPUT1"], session.OutputNames);
        foreach (var meta in session.InputMetadata.Values.Concat(session.OutputMetadata.Values))
        {
            Assert.Equal(TensorElementType.Float, meta.ElementDataType);
            Assert.Equal([-1, 16], meta.Dimensions);
            Assert.Equal(["batch", ""], meta.SymbolicDimensions);
        }
    }

    [Fact]
    public void AddSubComputesSumAndDifferenceFloat()
    {
        const int batch = 2;
        var a = Enumerable.Range(0, batch * 16).Select(i => i * 0.5f).ToArray();
        var b = Enumerable.Range(0, batch * 16).Select(i => 100f - i).ToArray();

        using var session = Ort.Load(TestModelFactory.AddSub());
        using var in0 = OrtValue.CreateTensorValueFromMemory(a, [batch, 16]);
        using var in1 = OrtValue.CreateTensorValueFromMemory(b, [batch, 16]);
        using var outputs = Ort.Run(session, [("INPUT0", in0), ("INPUT1", in1)], "OUTPUT0", "OUTPUT1");

        Assert.Equal(2, outputs.Count);
        Assert.Equal([batch, 16], outputs[0].GetTensorTypeAndShape().Shape);
        Assert.Equal(a.Zip(b, (x, y) => x + y).ToArray(), outputs[0].GetTensorDataAsSpan<float>().ToArray());
        Assert.Equal(a.Zip(b, (x, y) => x - y).ToArray(), outputs[1].GetTensorDataAsSpan<float>().ToArray());
    }

    [Fact]
    public void AddSubOutputsCanBeRequestedSeparatelyAndInAnyOrder()
    {
        using var session = Ort.Load(TestModelFactory.AddSub(shape: [null, 2]));
        using var in0 = OrtValue.CreateTensorValueFromMemory(new[] { 5f, 7f }, [1, 2]);
        using var in1 = OrtValue.CreateTensorValueFromMemory(new[] { 1f, 2f }, [1, 2]);

        using (var outputs = Ort.Run(session, [("INPUT1", in1), ("INPUT0", in0)], "OUTPUT1", "OUTPUT0"))
        {
            Assert.Equal([4f, 5f], outputs[0].GetTensorDataAsSpan<float>().ToArray());
            Assert.Equal([6f, 9f], outputs[1].GetTensorDataAsSpan<float>().ToArray());
        }

        using (var outputs = Ort.Run(session, [("INPUT0", in0), ("INPUT1", in1)], "OUTPUT1"))
        {
            Assert.Equal([4f, 5f], Assert.Single(outputs).GetTensorDataAsSpan<float>().ToArray());
        }
    }

    [Fact]
    public void AddSubWorksForOtherNumericTypes()
    {
        AddSubCase<int>(TensorElementKind.Int32, [1, -2, int.MaxValue - 10], [10, 20, 5]);
        AddSubCase<long>(TensorElementKind.Int64, [1L, -2L, 1L << 50], [10L, 20L, 5L]);
        AddSubCase<double>(TensorElementKind.Double, [0.1, -2.5, 1e200], [0.2, 20, 1e200]);
        AddSubCase<byte>(TensorElementKind.UInt8, [10, 200, 50], [1, 50, 50]);
        AddSubCase<sbyte>(TensorElementKind.Int8, [10, -100, 50], [1, 20, -50]);
        AddSubCase<ushort>(TensorElementKind.UInt16, [1000, 60000, 50], [1, 500, 50]);
        AddSubCase<short>(TensorElementKind.Int16, [1000, -30000, 50], [1, 500, -50]);
        AddSubCase<uint>(TensorElementKind.UInt32, [1000, 4_000_000_000, 50], [1, 500, 50]);
        AddSubCase<ulong>(TensorElementKind.UInt64, [1000, 1ul << 63, 50], [1, 500, 50]);

        // Float16: values and results are exactly representable in half precision.
        using var session = Ort.Load(TestModelFactory.AddSub(TensorElementKind.Float16, [null, 3]));
        using var in0 = OrtValue.CreateTensorValueFromMemory(new[] { (Float16)1.5f, (Float16)(-2f), (Float16)1024f }, [1, 3]);
        using var in1 = OrtValue.CreateTensorValueFromMemory(new[] { (Float16)0.25f, (Float16)3f, (Float16)1f }, [1, 3]);
        using var outputs = Ort.Run(session, [("INPUT0", in0), ("INPUT1", in1)], "OUTPUT0", "OUTPUT1");
        Assert.Equal(TensorElementType.Float16, outputs[0].GetTensorTypeAndShape().ElementDataType);
        Assert.Equal([1.75f, 1f, 1025f], outputs[0].GetTensorDataAsSpan<Float16>().ToArray().Select(h => (float)h));
        Assert.Equal([1.25f, -5f, 1023f], outputs[1].GetTensorDataAsSpan<Float16>().ToArray().Select(h => (float)h));
    }

    private static void AddSubCase<T>(TensorElementKind kind, T[] a, T[] b)
        where T : unmanaged, INumber<T>
    {
        using var session = Ort.Load(TestModelFactory.AddSub(kind, [null, 3]));
        Assert.Equal((TensorElementType)(int)kind, session.OutputMetadata["OUTPUT1"].ElementDataType);
        using var in0 = OrtValue.CreateTensorValueFromMemory(a, [1, 3]);
        using var in1 = OrtValue.CreateTensorValueFromMemory(b, [1, 3]);
        using var outputs = Ort.Run(session, [("INPUT0", in0), ("INPUT1", in1)], "OUTPUT0", "OUTPUT1");
        Assert.Equal(a.Zip(b, (x, y) => x + y).ToArray(), outputs[0].GetTensorDataAsSpan<T>().ToArray());
        Assert.Equal(a.Zip(b, (x, y) => x - y).ToArray(), outputs[1].GetTensorDataAsSpan<T>().ToArray());
    }

    [Fact]
    public void AddSubBFloat16HasNoCpuKernelInOrt()
    {
        // ORT 1.31's CPU provider has no bfloat16 Add; the model is valid ONNX but fails to load there.
        var ex = Assert.Throws<OnnxRuntimeException>(() => Ort.Load(TestModelFactory.AddSub(TensorElementKind.BFloat16)).Dispose());
        Assert.Contains("NotImplemented", ex.Message);
    }

    [Fact]
    public void AddSubRejectsNonNumericKinds()
    {
        Assert.Throws<ArgumentException>(() => TestModelFactory.AddSub(TensorElementKind.String));
        Assert.Throws<ArgumentException>(() => TestModelFactory.AddSub(TensorElementKind.Bool));
    }

    [Fact]
    public void ScaleMultipliesByItsFactor()
    {
        var data = new[] { 1f, -2f, 0.5f, 10f, 3f, 4f, 5f, 6f };
        foreach (var factor in new[] { 1f, 2f, -0.5f })
        {
            using var session = Ort.Load(TestModelFactory.Scale(factor));
            var meta = session.InputMetadata["INPUT0"];
            Assert.Equal(TensorElementType.Float, meta.ElementDataType);
            Assert.Equal([-1, 4], meta.Dimensions);
            Assert.Equal([-1, 4], session.OutputMetadata["OUTPUT0"].Dimensions);

            using var input = OrtValue.CreateTensorValueFromMemory(data, [2, 4]);
            using var outputs = Ort.Run(session, [("INPUT0", input)], "OUTPUT0");
            Assert.Equal(data.Select(x => x * factor).ToArray(), outputs[0].GetTensorDataAsSpan<float>().ToArray());
        }
    }

    [Fact]
    public void ScaleVersionsGiveDifferentOutputs()
    {
        using var v1 = Ort.Load(TestModelFactory.Scale(1f, [1]));
        using var v2 = Ort.Load(TestModelFactory.Scale(2f, [1]));
        using var input = OrtValue.CreateTensorValueFromMemory(new[] { 21f }, [1]);
        using var out1 = Ort.Run(v1, [("INPUT0", input)], "OUTPUT0");
        using var out2 = Ort.Run(v2, [("INPUT0", input)], "OUTPUT0");
        Assert.Equal(21f, out1[0].GetTensorDataAsSpan<float>()[0]);
        Assert.Equal(42f, out2[0].GetTensorDataAsSpan<float>()[0]);
    }

    [Fact]
    public void ScaleFactorIsAHiddenInitializerNotAnInput()
    {
        using var session = Ort.Load(TestModelFactory.Scale(3f, inputName: "x", outputName: "y"));
        Assert.Equal(["x"], session.InputNames);
        Assert.Equal(["y"], session.OutputNames);
        Assert.Empty(session.OverridableInitializerMetadata);
    }

    [Fact]
    public void CorruptModelFailsToLoad()
    {
        var bytes = TestModelFactory.Corrupt();
        Assert.NotEmpty(bytes);
        Assert.Equal(bytes, TestModelFactory.Corrupt());
        Assert.Throws<OnnxRuntimeException>(() => Ort.Load(bytes).Dispose());
    }

    [Fact]
    public void CorruptModelFileFailsToLoadFromPath()
    {
        var root = NewTempDir();
        try
        {
            var path = TestModelFactory.WriteToRepository(root, "broken", 1, TestModelFactory.Corrupt());
            Assert.Throws<OnnxRuntimeException>(() => new InferenceSession(path).Dispose());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void WriteToRepositoryUsesTritonLayout()
    {
        var root = NewTempDir();
        try
        {
            var p1 = TestModelFactory.WriteToRepository(root, "scale", 1, TestModelFactory.Scale(1f, [1]));
            var p2 = TestModelFactory.WriteToRepository(root, "scale", 2, TestModelFactory.Scale(2f, [1]));

            Assert.Equal(Path.Combine(root, "scale", "1", "model.onnx"), p1);
            Assert.Equal(Path.Combine(root, "scale", "2", "model.onnx"), p2);
            Assert.Equal(["1", "2"], Directory.GetDirectories(Path.Combine(root, "scale")).Select(d => Path.GetFileName(d)!).Order().ToArray());

            using var input = OrtValue.CreateTensorValueFromMemory(new[] { 5f }, [1]);
            using var s2 = new InferenceSession(p2);
            using var outputs = Ort.Run(s2, [("INPUT0", input)], "OUTPUT0");
            Assert.Equal(10f, outputs[0].GetTensorDataAsSpan<float>()[0]);

            // Overwriting a version replaces the file.
            TestModelFactory.WriteToRepository(root, "scale", 2, TestModelFactory.Scale(3f, [1]));
            using var s2b = new InferenceSession(p2);
            using var outputs2 = Ort.Run(s2b, [("INPUT0", input)], "OUTPUT0");
            Assert.Equal(15f, outputs2[0].GetTensorDataAsSpan<float>()[0]);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void FactoryValidatesArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TestModelFactory.Identity((TensorElementKind)14, [1]));
        Assert.Throws<ArgumentException>(() => TestModelFactory.Identity(TensorElementKind.Float, [1], "A", "A"));
        Assert.Throws<ArgumentException>(() => TestModelFactory.Identity(TensorElementKind.Float, [1], " "));
        Assert.Throws<ArgumentOutOfRangeException>(() => TestModelFactory.Identity(TensorElementKind.Float, [-1]));
        Assert.Throws<ArgumentException>(() => TestModelFactory.WriteToRepository("/tmp", "a/b", 1, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => TestModelFactory.WriteToRepository("/tmp", "a", -1, []));
    }

    private static string NewTempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "testmodels-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
