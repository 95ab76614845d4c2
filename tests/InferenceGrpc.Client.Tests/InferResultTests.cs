using System.Text;
using Google.Protobuf;
using Inference;
using OutputTensor = Inference.ModelInferResponse.Types.InferOutputTensor;

namespace InferenceGrpc.Client.Tests;

public sealed class InferResultTests
{
    [Fact]
    public void Properties_ComeFromResponse()
    {
        var response = Raw("y", "FP32", [2, 1], [0, 0, 0x80, 0x3F, 0, 0, 0, 0x40]);
        response.ModelName = "m";
        response.ModelVersion = "3";
        response.Id = "abc";

        var result = new InferResult(response);

        Assert.Equal("m", result.ModelName);
        Assert.Equal("3", result.ModelVersion);
        Assert.Equal("abc", result.Id);
        Assert.Equal(["y"], result.OutputNames);
        Assert.Equal([2L, 1L], result.GetShape("y"));
        Assert.Equal("FP32", result.GetDatatype("y"));
        Assert.Same(response, result.Response);
    }

    [Fact]
    public void GetOutput_RawFp32_DecodesLittleEndian()
    {
        var result = new InferResult(Raw("y", "FP32", [2], [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0]));

        Assert.Equal([1f, -2.5f], result.GetOutput<float>("y"));
    }

    [Fact]
    public void GetOutput_RawInt64_DecodesLittleEndian()
    {
        var result = new InferResult(Raw("y", "INT64", [1], [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]));

        Assert.Equal([-2L], result.GetOutput<long>("y"));
    }

    [Fact]
    public void GetOutput_RawFp16_DecodesHalf()
    {
        var result = new InferResult(Raw("y", "FP16", [2], [0x00, 0x3C, 0x00, 0xC0]));

        Assert.Equal([(Half)1, (Half)(-2)], result.GetOutput<Half>("y"));
    }

    [Fact]
    public void GetOutput_RawBoolNonZeroByte_ReadsTrue()
    {
        var result = new InferResult(Raw("y", "BOOL", [3], [0, 1, 2]));

        var values = result.GetOutput<bool>("y");

        Assert.Equal([false, true, true], values);
        Assert.True(values[2] == true);   // normalised, so it equals the literal true
    }

    // Every fixed-size datatype: what the builder writes, InferResult reads back.
    [Fact]
    public void GetOutput_RawRoundTrip_EveryNumericType()
    {
        RoundTrip<bool>([true, false]);
        RoundTrip<byte>([0, 255]);
        RoundTrip<ushort>([0, ushort.MaxValue]);
        RoundTrip<uint>([0, uint.MaxValue]);
        RoundTrip<ulong>([0, ulong.MaxValue]);
        RoundTrip<sbyte>([sbyte.MinValue, sbyte.MaxValue]);
        RoundTrip<short>([short.MinValue, short.MaxValue]);
        RoundTrip<int>([int.MinValue, int.MaxValue]);
        RoundTrip<long>([long.MinValue, long.MaxValue]);
        RoundTrip<Half>([Half.MinValue, Half.Epsilon]);
        RoundTrip<float>([float.MinValue, float.NaN]);
        RoundTrip<double>([double.Epsilon, double.NegativeInfinity]);

        static void RoundTrip<T>(T[] values) where T : unmanaged
        {
            var request = new InferRequestBuilder("m").AddInput<T>("x", [2], values).Build();
            Assert.Equal(values, new InferResult(Echo(request)).GetOutput<T>("x"));
        }
    }

    [Fact]
    public void GetOutput_TypedContents_EveryTypedDatatype()
    {
        Assert.Equal([true, false], Typed<bool>("BOOL", c => c.BoolContents.Add([true, false])));
        Assert.Equal([(byte)0, (byte)255], Typed<byte>("UINT8", c => c.UintContents.Add([0u, 255u])));
        Assert.Equal([(ushort)7, ushort.MaxValue], Typed<ushort>("UINT16", c => c.UintContents.Add([7u, 65535u])));
        Assert.Equal([1u, uint.MaxValue], Typed<uint>("UINT32", c => c.UintContents.Add([1u, uint.MaxValue])));
        Assert.Equal([1ul, ulong.MaxValue], Typed<ulong>("UINT64", c => c.Uint64Contents.Add([1ul, ulong.MaxValue])));
        Assert.Equal([(sbyte)-128, (sbyte)127], Typed<sbyte>("INT8", c => c.IntContents.Add([-128, 127])));
        Assert.Equal([(short)-5, short.MaxValue], Typed<short>("INT16", c => c.IntContents.Add([-5, 32767])));
        Assert.Equal([-1, int.MaxValue], Typed<int>("INT32", c => c.IntContents.Add([-1, int.MaxValue])));
        Assert.Equal([-1L, long.MaxValue], Typed<long>("INT64", c => c.Int64Contents.Add([-1L, long.MaxValue])));
        Assert.Equal([0.5f, -1f], Typed<float>("FP32", c => c.Fp32Contents.Add([0.5f, -1f])));
        Assert.Equal([0.25, 1e300], Typed<double>("FP64", c => c.Fp64Contents.Add([0.25, 1e300])));

        static T[] Typed<T>(string datatype, Action<InferTensorContents> fill) where T : unmanaged =>
            new InferResult(TypedResponse("y", datatype, [2], fill)).GetOutput<T>("y");
    }

    [Fact]
    public void GetOutput_TypedValueOutOfRange_Throws()
    {
        var result = new InferResult(TypedResponse("y", "INT8", [1], c => c.IntContents.Add(300)));

        var ex = Assert.Throws<InvalidOperationException>(() => result.GetOutput<sbyte>("y"));

        Assert.Contains("out of range", ex.Message);
    }

    [Fact]
    public void GetOutput_TypedCountDiffersFromShape_Throws()
    {
        var result = new InferResult(TypedResponse("y", "FP32", [3], c => c.Fp32Contents.Add([1f, 2f])));

        Assert.Throws<InvalidOperationException>(() => result.GetOutput<float>("y"));
    }

    [Fact]
    public void GetOutput_TypedFp16_ThrowsBecauseFp16IsRawOnly()
    {
        var result = new InferResult(TypedResponse("y", "FP16", [1], _ => { }));

        var ex = Assert.Throws<InvalidOperationException>(() => result.GetOutput<Half>("y"));

        Assert.Contains("raw_output_contents", ex.Message);
    }

    [Fact]
    public void GetOutput_DatatypeDiffersFromT_ThrowsNamingExpectedAndActual()
    {
        var result = new InferResult(Raw("y", "INT64", [1], new byte[8]));

        var ex = Assert.Throws<InvalidOperationException>(() => result.GetOutput<float>("y"));

        Assert.Contains("expected FP32", ex.Message);
        Assert.Contains("actual INT64", ex.Message);
    }

    [Fact]
    public void GetOutput_RawLengthDiffersFromShape_Throws()
    {
        var result = new InferResult(Raw("y", "FP32", [2], new byte[4]));

        var ex = Assert.Throws<InvalidOperationException>(() => result.GetOutput<float>("y"));

        Assert.Contains("8 bytes", ex.Message);
    }

    [Fact]
    public void GetOutput_UnknownName_ThrowsListingOutputs()
    {
        var result = new InferResult(Raw("y", "FP32", [1], new byte[4]));

        var ex = Assert.Throws<KeyNotFoundException>(() => result.GetOutput<float>("z"));

        Assert.Contains("[y]", ex.Message);
    }

    [Fact]
    public void Constructor_RawContentsForSomeOutputsOnly_Throws()
    {
        var response = Raw("a", "FP32", [1], new byte[4]);
        response.Outputs.Add(new OutputTensor { Name = "b", Datatype = "FP32", Shape = { 1 } });

        Assert.Throws<InvalidOperationException>(() => new InferResult(response));
    }

    [Fact]
    public void GetOutput_SeveralRawOutputs_EachReadsItsOwnContents()
    {
        var response = new ModelInferResponse
        {
            Outputs =
            {
                new OutputTensor { Name = "a", Datatype = "UINT8", Shape = { 1 } },
                new OutputTensor { Name = "b", Datatype = "UINT8", Shape = { 2 } },
            },
            RawOutputContents = { ByteString.CopyFrom(1), ByteString.CopyFrom(2, 3) },
        };

        var result = new InferResult(response);

        Assert.Equal([(byte)1], result.GetOutput<byte>("a"));
        Assert.Equal([(byte)2, (byte)3], result.GetOutput<byte>("b"));
    }

    [Fact]
    public void GetStrings_RawBytes_RoundTripsUtf8()
    {
        string[] values = ["héllo", "", "日本語"];
        var request = new InferRequestBuilder("m").AddStringInput("s", [3], values).Build();

        var result = new InferResult(Echo(request));

        Assert.Equal(values, result.GetStrings("s"));
    }

    [Fact]
    public void GetBytes_RawBinary_RoundTrips()
    {
        byte[][] values = [[0xFF, 0x00], [], [0x80]];
        var request = new InferRequestBuilder("m").AddBytesInput("b", [1, 3], values).Build();

        Assert.Equal(values, new InferResult(Echo(request)).GetBytes("b"));
    }

    [Fact]
    public void GetStrings_TypedBytesContents_DecodesUtf8()
    {
        var result = new InferResult(TypedResponse("s", "BYTES", [2], c =>
            c.BytesContents.Add([ByteString.CopyFromUtf8("ünï"), ByteString.CopyFromUtf8("x")])));

        Assert.Equal(["ünï", "x"], result.GetStrings("s"));
    }

    [Fact]
    public void GetStrings_InvalidUtf8_Throws()
    {
        var result = new InferResult(Raw("s", "BYTES", [1], [1, 0, 0, 0, 0xFF]));

        Assert.Throws<DecoderFallbackException>(() => result.GetStrings("s"));
        Assert.Equal([0xFF], Assert.Single(result.GetBytes("s")));
    }

    [Fact]
    public void GetBytes_BrokenFraming_Throws()
    {
        var result = new InferResult(Raw("s", "BYTES", [1], [9, 0, 0, 0, 1]));

        var ex = Assert.Throws<InvalidOperationException>(() => result.GetBytes("s"));

        Assert.Contains("malformed", ex.Message);
    }

    [Fact]
    public void GetBytes_CountDiffersFromShape_Throws()
    {
        var result = new InferResult(Raw("s", "BYTES", [2], [1, 0, 0, 0, 0x41]));

        Assert.Throws<InvalidOperationException>(() => result.GetBytes("s"));
    }

    [Fact]
    public void GetStrings_NotBytes_Throws()
    {
        var result = new InferResult(Raw("y", "FP32", [1], new byte[4]));

        var ex = Assert.Throws<InvalidOperationException>(() => result.GetStrings("y"));

        Assert.Contains("actual FP32", ex.Message);
    }

    [Fact]
    public void GetRaw_RawContents_ReturnsThemAsIs()
    {
        var result = new InferResult(Raw("y", "BF16", [2], [0x80, 0x3F, 0x00, 0xC0]));

        Assert.Equal([0x80, 0x3F, 0x00, 0xC0], result.GetRaw("y").ToArray());
    }

    [Fact]
    public void GetRaw_TypedContents_ReencodesLittleEndian()
    {
        var ints = new InferResult(TypedResponse("y", "INT32", [2], c => c.IntContents.Add([1, -2])));
        var strings = new InferResult(TypedResponse("s", "BYTES", [1], c => c.BytesContents.Add(ByteString.CopyFromUtf8("ab"))));

        Assert.Equal([1, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF], ints.GetRaw("y").ToArray());
        Assert.Equal([2, 0, 0, 0, (byte)'a', (byte)'b'], strings.GetRaw("s").ToArray());
    }

    private static ModelInferResponse Raw(string name, string datatype, long[] shape, byte[] raw) => new()
    {
        Outputs = { new OutputTensor { Name = name, Datatype = datatype, Shape = { shape } } },
        RawOutputContents = { ByteString.CopyFrom(raw) },
    };

    private static ModelInferResponse TypedResponse(string name, string datatype, long[] shape, Action<InferTensorContents> fill)
    {
        var contents = new InferTensorContents();
        fill(contents);
        return new ModelInferResponse
        {
            Outputs = { new OutputTensor { Name = name, Datatype = datatype, Shape = { shape }, Contents = contents } },
        };
    }

    // What an identity model would answer: each input comes back as an output of the same name.
    private static ModelInferResponse Echo(ModelInferRequest request)
    {
        var response = new ModelInferResponse { ModelName = request.ModelName };
        foreach (var input in request.Inputs)
        {
            response.Outputs.Add(new OutputTensor { Name = input.Name, Datatype = input.Datatype, Shape = { input.Shape } });
        }

        response.RawOutputContents.AddRange(request.RawInputContents);
        return response;
    }
}
