using System.Buffers.Binary;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Tests.Tensors;

public sealed class NumericElementsTests
{
    [Theory]
    [InlineData(DataType.Int8, new byte[] { 0, 0xFE }, -2)]
    [InlineData(DataType.UInt8, new byte[] { 0, 0xFE }, 254)]
    [InlineData(DataType.Bool, new byte[] { 0, 7 }, 1)]
    [InlineData(DataType.Int16, new byte[] { 0, 0, 0xFE, 0xFF }, -2)]
    [InlineData(DataType.UInt16, new byte[] { 0, 0, 0xFE, 0xFF }, 65534)]
    [InlineData(DataType.Fp16, new byte[] { 0, 0, 0x00, 0x3E }, 1.5)]
    [InlineData(DataType.Bf16, new byte[] { 0, 0, 0xC0, 0x3F }, 1.5)]
    [InlineData(DataType.Int32, new byte[] { 0, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF }, -2)]
    [InlineData(DataType.Fp32, new byte[] { 0, 0, 0, 0, 0, 0, 0xC0, 0x3F }, 1.5)]
    public void Read_SecondElement_IsItsValue(DataType type, byte[] data, double expected)
    {
        Assert.Equal(expected, NumericElements.Read(type, data, 1));
        Assert.Equal(2, NumericElements.Count(type, data.Length));
    }

    [Fact]
    public void Read_Int64AndFp64_GiveTheNearestDouble()
    {
        var data = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(data, -9_007_199_254_740_993);
        BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(8), 0.1);

        Assert.Equal(-9_007_199_254_740_992d, NumericElements.Read(DataType.Int64, data, 0));
        Assert.Equal(0.1, NumericElements.Read(DataType.Fp64, data.AsSpan(8), 0));
    }

    [Fact]
    public void Read_Bytes_Throws()
    {
        Assert.False(NumericElements.IsNumeric(DataType.Bytes));
        Assert.Throws<ArgumentOutOfRangeException>(() => NumericElements.Read(DataType.Bytes, new byte[4], 0));
    }

    [Theory]
    [InlineData(DataType.Fp32)]
    [InlineData(DataType.Int32)]
    public void Gather_PositionsFromARowStart_MatchRead(DataType type)
    {
        var data = new byte[6 * 4];
        for (var i = 0; i < 6; i++)
        {
            if (type == DataType.Fp32)
            {
                BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), i + 0.5f);
            }
            else
            {
                BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(i * 4), i * 10);
            }
        }

        var destination = new double[2];
        NumericElements.Gather(type, data, start: 3, positions: [2, 0], destination);

        Assert.Equal([NumericElements.Read(type, data, 5), NumericElements.Read(type, data, 3)], destination);
    }
}
