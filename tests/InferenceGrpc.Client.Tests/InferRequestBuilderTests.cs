using System.Text;
using Inference;

namespace InferenceGrpc.Client.Tests;

public sealed class InferRequestBuilderTests
{
    [Fact]
    public void Build_ModelVersionIdAndOutputs_CopiedToRequest()
    {
        var request = new InferRequestBuilder("resnet", "2")
            .WithId("req-1")
            .AddInput<float>("x", [1], [1f])
            .RequestOutput("y")
            .RequestOutput("z")
            .Build();

        Assert.Equal("resnet", request.ModelName);
        Assert.Equal("2", request.ModelVersion);
        Assert.Equal("req-1", request.Id);
        Assert.Equal(["y", "z"], request.Outputs.Select(o => o.Name));
    }

    [Fact]
    public void Build_NoVersionOrId_LeavesThemEmpty()
    {
        var request = new InferRequestBuilder("m").AddInput<int>("x", [1], [1]).Build();

        Assert.Equal("", request.ModelVersion);
        Assert.Equal("", request.Id);
        Assert.Empty(request.Outputs);
    }

    [Fact]
    public void AddInput_Bool_WritesOneBytePerElement() =>
        AssertInput(b => b.AddInput<bool>("x", [3], [true, false, true]), "BOOL", [3], [0x01, 0x00, 0x01]);

    [Fact]
    public void AddInput_Byte_WritesUint8() =>
        AssertInput(b => b.AddInput<byte>("x", [2], [1, 255]), "UINT8", [2], [0x01, 0xFF]);

    [Fact]
    public void AddInput_UInt16_WritesLittleEndian() =>
        AssertInput(b => b.AddInput<ushort>("x", [1], [0x0102]), "UINT16", [1], [0x02, 0x01]);

    [Fact]
    public void AddInput_UInt32_WritesLittleEndian() =>
        AssertInput(b => b.AddInput<uint>("x", [1], [0x01020304]), "UINT32", [1], [0x04, 0x03, 0x02, 0x01]);

    [Fact]
    public void AddInput_UInt64_WritesLittleEndian() =>
        AssertInput(b => b.AddInput<ulong>("x", [1], [0x0102030405060708]), "UINT64", [1],
            [0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01]);

    [Fact]
    public void AddInput_SByte_WritesInt8TwosComplement() =>
        AssertInput(b => b.AddInput<sbyte>("x", [2], [-1, 2]), "INT8", [2], [0xFF, 0x02]);

    [Fact]
    public void AddInput_Int16_WritesLittleEndian() =>
        AssertInput(b => b.AddInput<short>("x", [2], [-2, 0x0102]), "INT16", [2], [0xFE, 0xFF, 0x02, 0x01]);

    [Fact]
    public void AddInput_Int32_WritesLittleEndian() =>
        AssertInput(b => b.AddInput<int>("x", [2], [-2, 0x01020304]), "INT32", [2],
            [0xFE, 0xFF, 0xFF, 0xFF, 0x04, 0x03, 0x02, 0x01]);

    [Fact]
    public void AddInput_Int64_WritesLittleEndian() =>
        AssertInput(b => b.AddInput<long>("x", [1], [-2]), "INT64", [1],
            [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);

    [Fact]
    public void AddInput_Half_WritesFp16Bits() =>
        AssertInput(b => b.AddInput<Half>("x", [2], [(Half)1, (Half)(-2)]), "FP16", [2], [0x00, 0x3C, 0x00, 0xC0]);

    [Fact]
    public void AddInput_Float_WritesFp32Bits() =>
        AssertInput(b => b.AddInput<float>("x", [1, 2], [1f, -2.5f]), "FP32", [1, 2],
            [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0]);

    [Fact]
    public void AddInput_Double_WritesFp64Bits() =>
        AssertInput(b => b.AddInput<double>("x", [1], [1.0]), "FP64", [1],
            [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x3F]);

    [Fact]
    public void AddInput_Array_InfersElementType()
    {
        float[] data = [1f, 2f, 3f, 4f];

        var request = new InferRequestBuilder("m").AddInput("x", [2, 2], data).Build();

        Assert.Equal("FP32", request.Inputs[0].Datatype);
        Assert.Equal(16, request.RawInputContents[0].Length);
    }

    [Fact]
    public void AddInput_ScalarShape_TakesOneElement()
    {
        var request = new InferRequestBuilder("m").AddInput<int>("x", [], [7]).Build();

        Assert.Empty(request.Inputs[0].Shape);
        Assert.Equal([7, 0, 0, 0], request.RawInputContents[0].ToByteArray());
    }

    [Fact]
    public void AddInput_ZeroSizedDimension_TakesNoElements()
    {
        var request = new InferRequestBuilder("m").AddInput<float>("x", [0, 3], []).Build();

        Assert.Equal(0, request.RawInputContents[0].Length);
    }

    [Fact]
    public void AddInput_CountDiffersFromShape_ThrowsNamingBoth()
    {
        var builder = new InferRequestBuilder("m");

        var ex = Assert.Throws<ArgumentException>(() => builder.AddInput<float>("x", [1, 3], [1f, 2f, 3f, 4f]));

        Assert.Contains("'x'", ex.Message);
        Assert.Contains("[1, 3]", ex.Message);
        Assert.Contains("3 elements", ex.Message);
        Assert.Contains("4 values", ex.Message);
    }

    [Fact]
    public void AddInput_NegativeDimension_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new InferRequestBuilder("m").AddInput<float>("x", [-1, 3], [1f, 2f, 3f]));

        Assert.Contains("[-1, 3]", ex.Message);
    }

    [Fact]
    public void AddInput_DuplicateName_Throws()
    {
        var builder = new InferRequestBuilder("m").AddInput<int>("x", [1], [1]);

        Assert.Throws<ArgumentException>(() => builder.AddInput<int>("x", [1], [2]));
    }

    [Fact]
    public void AddInput_UnsupportedElementType_ThrowsNotSupported()
    {
        Assert.Throws<NotSupportedException>(() => new InferRequestBuilder("m").AddInput<char>("x", [1], ['a']));
    }

    [Fact]
    public void AddInput_CallerReusesBuffer_RequestKeepsOriginalValues()
    {
        var data = new[] { 1, 2 };
        var builder = new InferRequestBuilder("m").AddInput<int>("x", [2], data);

        data[0] = 99;

        Assert.Equal([1, 0, 0, 0, 2, 0, 0, 0], builder.Build().RawInputContents[0].ToByteArray());
    }

    [Fact]
    public void AddInput_SeveralInputs_RawContentsFollowInputOrder()
    {
        var request = new InferRequestBuilder("m")
            .AddInput<byte>("a", [1], [1])
            .AddInput<byte>("b", [2], [2, 3])
            .Build();

        Assert.Equal(["a", "b"], request.Inputs.Select(i => i.Name));
        Assert.Equal([1], request.RawInputContents[0].ToByteArray());
        Assert.Equal([2, 3], request.RawInputContents[1].ToByteArray());
        Assert.All(request.Inputs, i => Assert.Null(i.Contents));
    }

    [Fact]
    public void AddRawInput_Bf16_KeepsBytesAndDatatype() =>
        AssertInput(b => b.AddRawInput("x", "BF16", [2], [0x80, 0x3F, 0x00, 0xC0]), "BF16", [2], [0x80, 0x3F, 0x00, 0xC0]);

    [Fact]
    public void AddRawInput_ByteCountNotMultipleOfElementSize_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new InferRequestBuilder("m").AddRawInput("x", "BF16", [2], [1, 2, 3]));

        Assert.Contains("BF16", ex.Message);
    }

    [Fact]
    public void AddRawInput_ElementCountDiffersFromShape_Throws()
    {
        Assert.Throws<ArgumentException>(() => new InferRequestBuilder("m").AddRawInput("x", "FP32", [2], new byte[12]));
    }

    [Fact]
    public void AddRawInput_UnknownDatatype_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new InferRequestBuilder("m").AddRawInput("x", "fp32", [1], new byte[4]));

        Assert.Contains("'fp32'", ex.Message);
    }

    [Fact]
    public void AddRawInput_BytesFraming_CountsElements() =>
        AssertInput(b => b.AddRawInput("x", "BYTES", [2], [1, 0, 0, 0, (byte)'a', 0, 0, 0, 0]), "BYTES", [2],
            [1, 0, 0, 0, (byte)'a', 0, 0, 0, 0]);

    [Fact]
    public void AddRawInput_BrokenBytesFraming_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new InferRequestBuilder("m").AddRawInput("x", "BYTES", [1], [5, 0, 0, 0, 1]));

        Assert.Contains("malformed", ex.Message);
    }

    [Fact]
    public void AddStringInput_Utf8_WritesLengthPrefixedElements()
    {
        var expected = new List<byte> { 6, 0, 0, 0 };
        expected.AddRange(Encoding.UTF8.GetBytes("héllo"));
        expected.AddRange([0, 0, 0, 0]);

        AssertInput(b => b.AddStringInput("s", [2], ["héllo", ""]), "BYTES", [2], [.. expected]);
    }

    [Fact]
    public void AddBytesInput_BinaryElements_WritesLengthPrefixedElements() =>
        AssertInput(b => b.AddBytesInput("b", [1, 2], [[0xFF, 0x00], [0x01]]), "BYTES", [1, 2],
            [2, 0, 0, 0, 0xFF, 0x00, 1, 0, 0, 0, 0x01]);

    [Fact]
    public void AddStringInput_CountDiffersFromShape_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new InferRequestBuilder("m").AddStringInput("s", [3], ["a", "b"]));

        Assert.Contains("3 elements", ex.Message);
    }

    [Fact]
    public void RequestOutput_Classification_SetsTheInt64ParameterOnThatOutputOnly()
    {
        var request = new InferRequestBuilder("m").RequestOutput("probs", classification: 3).RequestOutput("raw").Build();

        Assert.Equal(3, request.Outputs[0].Parameters["classification"].Int64Param);
        Assert.Empty(request.Outputs[1].Parameters);
    }

    [Fact]
    public void RequestOutput_NegativeClassification_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InferRequestBuilder("m").RequestOutput("probs", classification: -1));
    }

    [Fact]
    public void RequestOutput_SameNameTwice_Throws()
    {
        var builder = new InferRequestBuilder("m").RequestOutput("y");

        Assert.Throws<ArgumentException>(() => builder.RequestOutput("y"));
    }

    [Fact]
    public void Build_CalledTwice_ReturnsIndependentRequests()
    {
        var builder = new InferRequestBuilder("m").AddInput<int>("x", [1], [1]);

        var first = builder.Build();
        first.Inputs[0].Shape[0] = 42;
        var second = builder.Build();

        Assert.Equal(1, second.Inputs[0].Shape[0]);
    }

    private static void AssertInput(
        Func<InferRequestBuilder, InferRequestBuilder> add, string datatype, long[] shape, byte[] expectedBytes)
    {
        var request = add(new InferRequestBuilder("m")).Build();

        var input = Assert.Single(request.Inputs);
        Assert.Equal(datatype, input.Datatype);
        Assert.Equal(shape, input.Shape);
        Assert.Equal(expectedBytes, Assert.Single(request.RawInputContents).ToByteArray());
    }
}
