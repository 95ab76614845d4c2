using InferenceGrpc.Cli.Inputs;

namespace InferenceGrpc.Cli.Tests.Inputs;

public sealed class BFloat16Tests
{
    [Theory]
    [InlineData(1f, 0x3F80)]
    [InlineData(-2.5f, 0xC020)]
    [InlineData(0f, 0x0000)]
    [InlineData(float.PositiveInfinity, 0x7F80)]
    public void FromSingle_ExactValues_TopHalfOfFloatBits(float value, int expected)
    {
        Assert.Equal((ushort)expected, BFloat16.FromSingle(value));
        Assert.Equal(value, BFloat16.ToSingle((ushort)expected));
    }

    [Fact]
    public void FromSingle_NaN_StaysNaN()
    {
        // A NaN whose payload lives only in the low 16 bits would truncate to infinity.
        var nan = BitConverter.Int32BitsToSingle(0x7F800001);

        Assert.True(float.IsNaN(BFloat16.ToSingle(BFloat16.FromSingle(nan))));
    }

    [Fact]
    public void FromSingle_LargestFloat_RoundsToInfinity()
    {
        Assert.Equal(0x7F80, BFloat16.FromSingle(float.MaxValue));
    }
}
