using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Tests.Tensors;

public sealed class TensorShapeTests
{
    [Fact]
    public void TryGetVolume_Scalar_IsOne()
    {
        Assert.True(TensorShape.TryGetVolume([], out var volume));
        Assert.Equal(1, volume);
    }

    [Fact]
    public void TryGetVolume_ConcreteShape_IsProductOfDims()
    {
        Assert.True(TensorShape.TryGetVolume([2, 3, 4], out var volume));
        Assert.Equal(24, volume);
    }

    [Theory]
    [InlineData(new long[] { 0 })]
    [InlineData(new long[] { 4, 0, 7 })]
    [InlineData(new long[] { 0, 1L << 40, 1L << 40 })]
    public void TryGetVolume_ZeroDim_IsZero(long[] shape)
    {
        Assert.True(TensorShape.TryGetVolume(shape, out var volume));
        Assert.Equal(0, volume);
    }

    [Theory]
    [InlineData(new long[] { -1 })]
    [InlineData(new long[] { 2, -1, 3 })]
    [InlineData(new long[] { 0, -5 })]
    [InlineData(new long[] { long.MinValue })]
    public void TryGetVolume_NegativeDim_ReturnsFalse(long[] shape)
    {
        Assert.False(TensorShape.TryGetVolume(shape, out var volume));
        Assert.Equal(0, volume);
    }

    [Theory]
    [InlineData(new long[] { 1L << 32, 1L << 32 })]
    [InlineData(new long[] { long.MaxValue, 2 })]
    [InlineData(new long[] { 1L << 21, 1L << 21, 1L << 21 })]
    public void TryGetVolume_ProductOverflowsLong_ReturnsFalse(long[] shape)
    {
        Assert.False(TensorShape.TryGetVolume(shape, out var volume));
        Assert.Equal(0, volume);
    }

    [Fact]
    public void TryGetVolume_ProductIsLongMaxValue_Succeeds()
    {
        Assert.True(TensorShape.TryGetVolume([long.MaxValue, 1], out var volume));
        Assert.Equal(long.MaxValue, volume);
    }

    [Theory]
    [InlineData(new long[] { -1, 3 }, new long[] { 7, 3 })]
    [InlineData(new long[] { -1, -1 }, new long[] { 0, 9 })]
    [InlineData(new long[] { 2, 3 }, new long[] { 2, 3 })]
    [InlineData(new long[] { }, new long[] { })]
    public void Matches_SameRankAndFixedDimsEqual_ReturnsTrue(long[] pattern, long[] actual)
    {
        Assert.True(TensorShape.Matches(pattern, actual));
    }

    [Theory]
    [InlineData(new long[] { -1, 3 }, new long[] { 7, 4 })]
    [InlineData(new long[] { 2, 3 }, new long[] { 3, 3 })]
    [InlineData(new long[] { -1, 3 }, new long[] { 3 })]
    [InlineData(new long[] { -1 }, new long[] { 1, 1 })]
    [InlineData(new long[] { }, new long[] { 1 })]
    public void Matches_DifferentRankOrFixedDim_ReturnsFalse(long[] pattern, long[] actual)
    {
        Assert.False(TensorShape.Matches(pattern, actual));
    }

    [Theory]
    [InlineData(new long[] { }, "[]")]
    [InlineData(new long[] { 5 }, "[5]")]
    [InlineData(new long[] { -1, 3, 48, 192 }, "[-1,3,48,192]")]
    public void Format_Shape_IsBracketedCommaList(long[] shape, string expected)
    {
        Assert.Equal(expected, TensorShape.Format(shape));
    }
}
