using System.Text.Json;
using Google.Protobuf;
using Inference;
using InferenceGrpc.Cli.Formatting;
using InferenceGrpc.Client;
using OutputTensor = Inference.ModelInferResponse.Types.InferOutputTensor;

namespace InferenceGrpc.Cli.Tests.Formatting;

public sealed class OutputFormatterTests
{
    [Fact]
    public void Format_RawFp32_WritesKServeShapeOnOneLine()
    {
        var response = Response(("y", "FP32", [1, 2], Bytes<float>([1.5f, 0.1f])));
        response.ModelName = "m";
        response.ModelVersion = "1";
        response.Id = "r";

        var json = OutputFormatter.Format(new InferResult(response));

        Assert.Equal(
            """{"model_name":"m","model_version":"1","id":"r","outputs":[{"name":"y","datatype":"FP32","shape":[1,2],"data":[1.5,0.1]}]}""",
            json);
    }

    [Fact]
    public void Format_Fp16_WritesShortestHalfText()
    {
        var json = Data(Response(("y", "FP16", [2], Bytes<Half>([(Half)0.1, (Half)(-2)]))));

        Assert.Equal("[0.1,-2]", json);
    }

    [Fact]
    public void Format_Bf16_ConvertsFromBfloat16Bits()
    {
        // 0x3FC0 = 1.5, 0xC020 = -2.5, 0x7F80 = +inf.
        var json = Data(Response(("y", "BF16", [3], [0xC0, 0x3F, 0x20, 0xC0, 0x80, 0x7F])));

        Assert.Equal("[1.5,-2.5,\"Infinity\"]", json);
    }

    [Fact]
    public void Format_NonFiniteFloats_WrittenAsStrings()
    {
        var json = Data(Response(("y", "FP64", [3], Bytes<double>([double.NaN, double.PositiveInfinity, double.NegativeInfinity]))));

        Assert.Equal("[\"NaN\",\"Infinity\",\"-Infinity\"]", json);
    }

    [Fact]
    public void Format_BytesOutput_WritesUtf8Strings()
    {
        byte[] raw = [2, 0, 0, 0, 0xC3, 0xA9, 1, 0, 0, 0, (byte)'"'];

        var json = Data(Response(("s", "BYTES", [2], raw)));

        Assert.Equal("""["é","\""]""", json);
    }

    [Fact]
    public void Format_IntegersAndBool_WriteFullRange()
    {
        Assert.Equal("[18446744073709551615]", Data(Response(("y", "UINT64", [1], Bytes<ulong>([ulong.MaxValue])))));
        Assert.Equal("[-9223372036854775808]", Data(Response(("y", "INT64", [1], Bytes<long>([long.MinValue])))));
        Assert.Equal("[-128,127]", Data(Response(("y", "INT8", [2], [0x80, 0x7F]))));
        Assert.Equal("[65535]", Data(Response(("y", "UINT16", [1], [0xFF, 0xFF]))));
        Assert.Equal("[true,false]", Data(Response(("y", "BOOL", [2], [1, 0]))));
    }

    [Fact]
    public void Format_TypedContents_ReadLikeRaw()
    {
        var response = new ModelInferResponse
        {
            Outputs =
            {
                new OutputTensor { Name = "a", Datatype = "INT32", Shape = { 2 }, Contents = new InferTensorContents { IntContents = { 3, -4 } } },
                new OutputTensor
                {
                    Name = "b", Datatype = "BYTES", Shape = { 1 },
                    Contents = new InferTensorContents { BytesContents = { ByteString.CopyFromUtf8("hi") } },
                },
            },
        };

        using var document = JsonDocument.Parse(OutputFormatter.Format(new InferResult(response)));

        var outputs = document.RootElement.GetProperty("outputs");
        Assert.Equal("[3,-4]", outputs[0].GetProperty("data").GetRawText());
        Assert.Equal("[\"hi\"]", outputs[1].GetProperty("data").GetRawText());
    }

    [Fact]
    public void Format_UnknownDatatype_WritesRawBase64()
    {
        using var document = JsonDocument.Parse(OutputFormatter.Format(new InferResult(Response(("y", "COMPLEX64", [1], [1, 2, 3])))));

        var output = document.RootElement.GetProperty("outputs")[0];
        Assert.Equal("AQID", output.GetProperty("raw_base64").GetString());
        Assert.False(output.TryGetProperty("data", out _));
    }

    [Fact]
    public void Format_DataDoesNotMatchShape_Throws()
    {
        var result = new InferResult(Response(("y", "BF16", [2], [0x80, 0x3F])));

        Assert.Throws<InvalidOperationException>(() => OutputFormatter.Format(result));
    }

    private static string Data(ModelInferResponse response)
    {
        using var document = JsonDocument.Parse(OutputFormatter.Format(new InferResult(response)));
        return document.RootElement.GetProperty("outputs")[0].GetProperty("data").GetRawText();
    }

    private static ModelInferResponse Response(params (string Name, string Datatype, long[] Shape, byte[] Raw)[] outputs)
    {
        var response = new ModelInferResponse();
        foreach (var (name, datatype, shape, raw) in outputs)
        {
            response.Outputs.Add(new OutputTensor { Name = name, Datatype = datatype, Shape = { shape } });
            response.RawOutputContents.Add(ByteString.CopyFrom(raw));
        }

        return response;
    }

    private static byte[] Bytes<T>(T[] values) where T : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
