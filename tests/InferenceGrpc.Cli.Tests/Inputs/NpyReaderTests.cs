using System.Text;
using InferenceGrpc.Cli.Inputs;
using InferenceGrpc.Cli.Tests.Infrastructure;

namespace InferenceGrpc.Cli.Tests.Inputs;

public sealed class NpyReaderTests
{
    [Fact]
    public void Read_Float32Version1_ReadsShapeAndData()
    {
        byte[] data = [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x40, 0x40];

        var tensor = NpyReader.Read(NpyFile.Build(NpyFile.Header("<f4", "(1, 3)"), data));

        Assert.Null(tensor.Name);
        Assert.Equal("FP32", tensor.Datatype);
        Assert.Equal([1L, 3L], tensor.Shape);
        Assert.Equal(data, tensor.Data);
    }

    [Fact]
    public void Read_Float64Version2_UsesFourByteHeaderLength()
    {
        var data = BitConverter.GetBytes(1.5);

        var tensor = NpyReader.Read(NpyFile.Build(NpyFile.Header("<f8", "(1,)"), data, major: 2));

        Assert.Equal("FP64", tensor.Datatype);
        Assert.Equal([1L], tensor.Shape);
        Assert.Equal(data, tensor.Data);
    }

    [Fact]
    public void Read_Int64Version3_ReadsUtf8Header()
    {
        byte[] data = [.. BitConverter.GetBytes(-2L), .. BitConverter.GetBytes(3L)];

        var tensor = NpyReader.Read(NpyFile.Build(NpyFile.Header("<i8", "(2,)"), data, major: 3));

        Assert.Equal("INT64", tensor.Datatype);
        Assert.Equal(data, tensor.Data);
    }

    [Theory]
    [InlineData("<i4", "INT32", 4)]
    [InlineData("<i2", "INT16", 2)]
    [InlineData("|i1", "INT8", 1)]
    [InlineData("|u1", "UINT8", 1)]
    [InlineData("<u2", "UINT16", 2)]
    [InlineData("<u4", "UINT32", 4)]
    [InlineData("<u8", "UINT64", 8)]
    [InlineData("<f2", "FP16", 2)]
    [InlineData("=f4", "FP32", 4)]
    public void Read_LittleEndianDtype_MapsDatatypeAndKeepsBytes(string descr, string datatype, int itemSize)
    {
        var data = Enumerable.Range(1, 2 * itemSize).Select(b => (byte)b).ToArray();

        var tensor = NpyReader.Read(NpyFile.Build(NpyFile.Header(descr, "(2,)"), data));

        Assert.Equal(datatype, tensor.Datatype);
        Assert.Equal(data, tensor.Data);
    }

    [Fact]
    public void Read_Bool_MapsToBoolAndNormalisesBytes()
    {
        var tensor = NpyReader.Read(NpyFile.Build(NpyFile.Header("|b1", "(3,)"), [1, 0, 7]));

        Assert.Equal("BOOL", tensor.Datatype);
        Assert.Equal([1, 0, 1], tensor.Data);
    }

    [Fact]
    public void Read_BigEndianInt32_SwapsToLittleEndian()
    {
        var tensor = NpyReader.Read(NpyFile.Build(NpyFile.Header(">i4", "(2,)"), [0x01, 0x02, 0x03, 0x04, 0xFF, 0xFF, 0xFF, 0xFE]));

        Assert.Equal("INT32", tensor.Datatype);
        Assert.Equal([0x04, 0x03, 0x02, 0x01, 0xFE, 0xFF, 0xFF, 0xFF], tensor.Data);
    }

    [Fact]
    public void Read_ScalarShape_HasNoDimensionsAndOneElement()
    {
        var tensor = NpyReader.Read(NpyFile.Build(NpyFile.Header("<i4", "()"), [7, 0, 0, 0]));

        Assert.Empty(tensor.Shape);
        Assert.Equal([7, 0, 0, 0], tensor.Data);
    }

    [Fact]
    public void Read_Python2LongShape_Accepted()
    {
        var tensor = NpyReader.Read(NpyFile.Build("{'descr': '|u1', 'fortran_order': False, 'shape': (2L, 1L)}", [1, 2]));

        Assert.Equal([2L, 1L], tensor.Shape);
    }

    [Fact]
    public void Read_KeysInAnyOrderWithDoubleQuotes_Accepted()
    {
        var tensor = NpyReader.Read(NpyFile.Build("{\"shape\": (1,), \"fortran_order\": False, \"descr\": \"<f4\"}", new byte[4]));

        Assert.Equal("FP32", tensor.Datatype);
    }

    [Fact]
    public void Read_ByteStrings_BecomeBytesWithoutNulPadding()
    {
        var tensor = NpyReader.Read(NpyFile.Build(NpyFile.Header("|S3", "(2,)"), [(byte)'a', (byte)'b', 0, (byte)'x', (byte)'y', (byte)'z']));

        Assert.Equal("BYTES", tensor.Datatype);
        Assert.Equal([2, 0, 0, 0, (byte)'a', (byte)'b', 3, 0, 0, 0, (byte)'x', (byte)'y', (byte)'z'], tensor.Data);
    }

    [Fact]
    public void Read_UnicodeStrings_BecomeUtf8Bytes()
    {
        // '<U2': two UTF-32LE code units per element, NUL-padded.
        byte[] data = [(byte)'h', 0, 0, 0, 0xE9, 0, 0, 0, (byte)'a', 0, 0, 0, 0, 0, 0, 0];

        var tensor = NpyReader.Read(NpyFile.Build(NpyFile.Header("<U2", "(2,)"), data));

        var expected = new List<byte> { 3, 0, 0, 0 };
        expected.AddRange(Encoding.UTF8.GetBytes("hé"));
        expected.AddRange([1, 0, 0, 0, (byte)'a']);
        Assert.Equal("BYTES", tensor.Datatype);
        Assert.Equal(expected, tensor.Data);
    }

    [Fact]
    public void Read_FortranOrder_Rejected()
    {
        var file = NpyFile.Build(NpyFile.Header("<f4", "(2, 2)", fortranOrder: true), new byte[16]);

        var ex = Assert.Throws<InputFileException>(() => NpyReader.Read(file));

        Assert.Contains("fortran_order", ex.Message);
    }

    [Fact]
    public void Read_DataShorterThanShape_Rejected()
    {
        var ex = Assert.Throws<InputFileException>(() => NpyReader.Read(NpyFile.Build(NpyFile.Header("<f4", "(2, 2)"), new byte[12])));

        Assert.Contains("12 bytes", ex.Message);
        Assert.Contains("needs 16", ex.Message);
    }

    [Theory]
    [InlineData("<c8")]
    [InlineData("|O")]
    [InlineData("<V2")]
    [InlineData("<f16")]
    public void Read_UnsupportedDtype_RejectedNamingIt(string descr)
    {
        var ex = Assert.Throws<InputFileException>(() => NpyReader.Read(NpyFile.Build(NpyFile.Header(descr, "(1,)"), new byte[16])));

        Assert.Contains($"'{descr}'", ex.Message);
    }

    [Fact]
    public void Read_StructuredDtype_Rejected()
    {
        var file = NpyFile.Build("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,), }", new byte[4]);

        var ex = Assert.Throws<InputFileException>(() => NpyReader.Read(file));

        Assert.Contains("structured", ex.Message);
    }

    [Fact]
    public void Read_MissingShape_Rejected()
    {
        var ex = Assert.Throws<InputFileException>(() => NpyReader.Read(NpyFile.Build("{'descr': '<f4', 'fortran_order': False}", new byte[4])));

        Assert.Contains("'shape'", ex.Message);
    }

    [Fact]
    public void Read_NotNpy_RejectedForMagic()
    {
        var ex = Assert.Throws<InputFileException>(() => NpyReader.Read(Encoding.ASCII.GetBytes("{\"inputs\": []}")));

        Assert.Contains("magic", ex.Message);
    }

    [Fact]
    public void Read_UnknownVersion_Rejected()
    {
        var file = NpyFile.Build(NpyFile.Header("<f4", "(1,)"), new byte[4]);
        file[6] = 9;

        var ex = Assert.Throws<InputFileException>(() => NpyReader.Read(file));

        Assert.Contains("version 9.0", ex.Message);
    }

    [Fact]
    public void Read_HeaderNotALiteral_Rejected()
    {
        var ex = Assert.Throws<InputFileException>(() => NpyReader.Read(NpyFile.Build("{'descr': os.system('x')}", [])));

        Assert.Contains("not a Python dict literal", ex.Message);
    }
}
