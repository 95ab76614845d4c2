using System.Text;
using InferenceGrpc.Cli.Inputs;

namespace InferenceGrpc.Cli.Tests.Inputs;

public sealed class JsonInputReaderTests
{
    [Fact]
    public void Read_FlatFp32_WritesLittleEndianAndKeepsIdAndOutputs()
    {
        var document = JsonInputReader.Read("""
            {"id": "req-1",
             "inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 2], "data": [1, -2.5]}],
             "outputs": [{"name": "y"}, {"name": "z", "parameters": {"binary_data": false}}]}
            """);

        Assert.Equal("req-1", document.Id);
        Assert.Equal(["y", "z"], document.Outputs);
        var input = Assert.Single(document.Inputs);
        Assert.Equal("x", input.Name);
        Assert.Equal("FP32", input.Datatype);
        Assert.Equal([1L, 2L], input.Shape);
        Assert.Equal([0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0], input.Data);
    }

    [Fact]
    public void Read_NestedData_FlattensRowMajor()
    {
        var document = JsonInputReader.Read("""
            {"inputs": [{"name": "x", "datatype": "INT32", "shape": [2, 2], "data": [[1, 2], [3, 4]]}]}
            """);

        Assert.Equal([1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0], document.Inputs[0].Data);
        Assert.Null(document.Id);
        Assert.Empty(document.Outputs);
    }

    [Fact]
    public void Read_BytesStrings_WritesLengthPrefixedUtf8()
    {
        var document = JsonInputReader.Read("""
            {"inputs": [{"name": "s", "datatype": "BYTES", "shape": [2], "data": ["hé", ""]}]}
            """);

        var expected = new List<byte> { 3, 0, 0, 0 };
        expected.AddRange(Encoding.UTF8.GetBytes("hé"));
        expected.AddRange([0, 0, 0, 0]);
        Assert.Equal(expected, document.Inputs[0].Data);
    }

    [Fact]
    public void Read_BytesWithNumber_ThrowsNamingElement()
    {
        var ex = Assert.Throws<InputFileException>(() => JsonInputReader.Read("""
            {"inputs": [{"name": "s", "datatype": "BYTES", "shape": [2], "data": ["a", 5]}]}
            """));

        Assert.Contains("data[1]", ex.Message);
        Assert.Contains("string", ex.Message);
    }

    [Fact]
    public void Read_EveryFixedSizeDatatype_WritesExactBytes()
    {
        Assert.Equal([1, 0], Data("BOOL", "[true, false]"));
        Assert.Equal([255], Data("UINT8", "[255]"));
        Assert.Equal([0x02, 0x01], Data("UINT16", "[258]"));
        Assert.Equal([0xFF, 0xFF, 0xFF, 0xFF], Data("UINT32", "[4294967295]"));
        Assert.Equal(Enumerable.Repeat((byte)0xFF, 8), Data("UINT64", "[18446744073709551615]"));
        Assert.Equal([0x80], Data("INT8", "[-128]"));
        Assert.Equal([0xFE, 0xFF], Data("INT16", "[-2]"));
        Assert.Equal([0xFE, 0xFF, 0xFF, 0xFF], Data("INT32", "[-2]"));
        Assert.Equal([0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], Data("INT64", "[-2]"));
        Assert.Equal([0x00, 0x3C], Data("FP16", "[1]"));
        Assert.Equal([0x80, 0x3F], Data("BF16", "[1]"));
        Assert.Equal([0x00, 0x00, 0x80, 0x3F], Data("FP32", "[1]"));
        Assert.Equal([0, 0, 0, 0, 0, 0, 0xF0, 0x3F], Data("FP64", "[1.0]"));
    }

    [Fact]
    public void Read_Bf16_RoundsToNearestEven()
    {
        // 1 + 2^-8 lies halfway between bf16 1.0 (0x3F80) and 1.0078125 (0x3F81): ties go to even.
        Assert.Equal([0x80, 0x3F], Data("BF16", "[1.00390625]"));
        // Past halfway rounds up.
        Assert.Equal([0x81, 0x3F], Data("BF16", "[1.004]"));
    }

    [Fact]
    public void Read_NonFiniteStrings_AcceptedForFloats()
    {
        var data = Data("FP32", "[\"NaN\", \"Infinity\", \"-Infinity\"]");

        var values = new float[3];
        Buffer.BlockCopy(data, 0, values, 0, data.Length);
        Assert.True(float.IsNaN(values[0]));
        Assert.Equal(float.PositiveInfinity, values[1]);
        Assert.Equal(float.NegativeInfinity, values[2]);
    }

    [Theory]
    [InlineData("INT8", "[128]", "INT8 range")]
    [InlineData("UINT8", "[-1]", "UINT8 range")]
    [InlineData("INT32", "[1.5]", "integer")]
    [InlineData("BOOL", "[1]", "true or false")]
    [InlineData("FP16", "[70000]", "FP16 range")]
    [InlineData("FP32", "[\"abc\"]", "a number")]
    public void Read_ValueNotValidForDatatype_ThrowsNamingIt(string datatype, string data, string expected)
    {
        var ex = Assert.Throws<InputFileException>(() => Data(datatype, data));

        Assert.Contains("data[0]", ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Read_CountDiffersFromShape_ThrowsWithBothCounts()
    {
        var ex = Assert.Throws<InputFileException>(() => JsonInputReader.Read("""
            {"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 3], "data": [1, 2]}]}
            """));

        Assert.Contains("'x'", ex.Message);
        Assert.Contains("2 values", ex.Message);
        Assert.Contains("[1, 3] holds 3", ex.Message);
    }

    [Theory]
    [InlineData("{\"inputs\": []}", "\"inputs\"")]
    [InlineData("[1, 2]", "top level")]
    [InlineData("{\"inputs\": [{\"datatype\": \"FP32\", \"shape\": [1], \"data\": [1]}]}", "\"name\"")]
    [InlineData("{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FLOAT\", \"shape\": [1], \"data\": [1]}]}", "unknown datatype 'FLOAT'")]
    [InlineData("{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [-1], \"data\": [1]}]}", "shape dimension -1")]
    [InlineData("{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1]}]}", "missing \"data\"")]
    [InlineData("{\"id\": 5, \"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1], \"data\": [1]}]}", "\"id\" must be a string")]
    [InlineData("{\"inputs\": [", "not valid JSON")]
    public void Read_MalformedRequest_ThrowsNamingProblem(string json, string expected)
    {
        var ex = Assert.Throws<InputFileException>(() => JsonInputReader.Read(json));

        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Read_DuplicateInputName_Throws()
    {
        var ex = Assert.Throws<InputFileException>(() => JsonInputReader.Read("""
            {"inputs": [{"name": "x", "datatype": "FP32", "shape": [1], "data": [1]},
                        {"name": "x", "datatype": "FP32", "shape": [1], "data": [2]}]}
            """));

        Assert.Contains("twice", ex.Message);
    }

    private static byte[] Data(string datatype, string data) =>
        JsonInputReader.Read(
            $$"""{"inputs": [{"name": "x", "datatype": "{{datatype}}", "shape": [{{Count(data)}}], "data": {{data}}}]}""")
        .Inputs[0].Data;

    private static int Count(string data) => data.Trim('[', ']').Split(',').Length;
}
