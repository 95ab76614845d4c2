using System.Text;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Tests.Tensors;

public sealed class BytesTensorTests
{
    private static List<byte[]> ReadAll(ReadOnlySpan<byte> raw)
    {
        var elements = new List<byte[]>();
        foreach (var element in BytesTensor.Enumerate(raw))
        {
            elements.Add(element.ToArray());
        }

        return elements;
    }

    [Fact]
    public void Encode_Elements_WritesLittleEndianLengthThenBytes()
    {
        var raw = BytesTensor.Encode([[0xAA], [], [0x01, 0x02, 0x03]]);

        Assert.Equal(
            new byte[] { 1, 0, 0, 0, 0xAA, 0, 0, 0, 0, 3, 0, 0, 0, 0x01, 0x02, 0x03 },
            raw);
    }

    [Fact]
    public void Encode_LongElement_WritesFullLittleEndianLength()
    {
        var raw = BytesTensor.Encode([new byte[0x0102]]);

        Assert.Equal(4 + 0x0102, raw.Length);
        Assert.Equal(new byte[] { 0x02, 0x01, 0, 0 }, raw[..4]);
    }

    [Fact]
    public void EncodedLength_ElementsAndPayload_AddsFourBytesPerElement()
    {
        Assert.Equal(3 * 4 + 10, BytesTensor.EncodedLength(3, 10));
    }

    [Fact]
    public void EncodedLength_Overflow_Throws()
    {
        Assert.Throws<OverflowException>(() => BytesTensor.EncodedLength(int.MaxValue / 2, int.MaxValue / 2));
    }

    [Fact]
    public void TryCountElements_EncodedWithEmptyAndMultiByteElements_CountsEvery()
    {
        var raw = BytesTensor.Encode([[], Encoding.UTF8.GetBytes("héllo"), [], Encoding.UTF8.GetBytes("日本🙂")]);

        Assert.True(BytesTensor.TryCountElements(raw, out var count));
        Assert.Equal(4, count);
    }

    [Fact]
    public void Enumerate_EncodedWithEmptyAndMultiByteElements_RoundTrips()
    {
        var strings = new[] { "", "héllo", "", "日本🙂", "x" };
        var raw = BytesTensor.Encode(strings.Select(Encoding.UTF8.GetBytes));

        var decoded = ReadAll(raw).Select(Encoding.UTF8.GetString).ToArray();

        Assert.Equal(strings, decoded);
    }

    [Fact]
    public void TryCountElements_EmptyBuffer_IsZeroElements()
    {
        Assert.True(BytesTensor.TryCountElements([], out var count));
        Assert.Equal(0, count);
        Assert.Empty(ReadAll([]));
    }

    [Fact]
    public void TryCountElements_OnlyEmptyElements_CountsThem()
    {
        Assert.True(BytesTensor.TryCountElements(new byte[12], out var count));
        Assert.Equal(3, count);
    }

    [Theory]
    [InlineData(new byte[] { 1 })]
    [InlineData(new byte[] { 0, 0, 0 })]
    [InlineData(new byte[] { 1, 0, 0, 0, 0x41, 2, 0 })]
    public void TryCountElements_TruncatedLengthPrefix_ReturnsFalse(byte[] raw)
    {
        Assert.False(BytesTensor.TryCountElements(raw, out _));
    }

    [Theory]
    [InlineData(new byte[] { 1, 0, 0, 0 })]
    [InlineData(new byte[] { 5, 0, 0, 0, 0x41, 0x42, 0x43, 0x44 })]
    [InlineData(new byte[] { 0, 0, 0, 0, 2, 0, 0, 0, 0x41 })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x41 })]
    [InlineData(new byte[] { 0, 0, 0, 0x80 })]
    public void TryCountElements_LengthPastEnd_ReturnsFalse(byte[] raw)
    {
        Assert.False(BytesTensor.TryCountElements(raw, out _));
    }

    [Fact]
    public void WriteElement_IntoLargerBuffer_ReturnsBytesWrittenAndLeavesRest()
    {
        var buffer = Enumerable.Repeat((byte)0xEE, 10).ToArray();

        var written = BytesTensor.WriteElement(buffer, [0x61, 0x62]);

        Assert.Equal(6, written);
        Assert.Equal(new byte[] { 2, 0, 0, 0, 0x61, 0x62, 0xEE, 0xEE, 0xEE, 0xEE }, buffer);
    }
}
