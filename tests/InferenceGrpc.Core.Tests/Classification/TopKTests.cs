using System.Runtime.InteropServices;
using InferenceGrpc.Core.Classification;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Tests.Classification;

public sealed class TopKTests
{
    private static readonly string[] Labels = ["cat", "dog", "bird", "fish"];

    private static byte[] Bytes<T>(params T[] values) where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    [Fact]
    public void Classify_TritonsExample_RanksByValue()
    {
        // The extension's own example: [1, 5, 10, 4] ranks indices 2, 1, 3, 0.
        var top = TopK.Classify(DataType.Int32, Bytes(1, 5, 10, 4), rows: 1, k: 4, labels: null);

        Assert.Equal(["10:2", "5:1", "4:3", "1:0"], top);
    }

    [Fact]
    public void Classify_Float_FormatsAsCsPercentF()
    {
        var top = TopK.Classify(DataType.Fp32, Bytes(0.1f, 0.75f, 0.15f), rows: 1, k: 2, labels: null);

        Assert.Equal(["0.750000:1", "0.150000:2"], top);
    }

    [Fact]
    public void Classify_WithLabels_AppendsTheLabelOfTheIndex()
    {
        var top = TopK.Classify(DataType.Fp64, Bytes(0.2, 0.1, 0.6, 0.1), rows: 1, k: 2, labels: Labels);

        Assert.Equal(["0.600000:2:bird", "0.200000:0:cat"], top);
    }

    [Fact]
    public void Classify_IndexBeyondTheLabels_HasNoLabel()
    {
        var top = TopK.Classify(DataType.Fp32, Bytes(0f, 0f, 0f, 0f, 1f), rows: 1, k: 1, labels: Labels);

        Assert.Equal(["1.000000:4"], top);
    }

    [Fact]
    public void Classify_KLargerThanClasses_ReturnsEveryClass()
    {
        var top = TopK.Classify(DataType.UInt8, Bytes<byte>(3, 9), rows: 1, k: 10, labels: null);

        Assert.Equal(["9:1", "3:0"], top);
    }

    [Fact]
    public void Classify_Ties_LowerIndexFirst()
    {
        var top = TopK.Classify(DataType.Fp32, Bytes(0.25f, 0.5f, 0.25f, 0.5f), rows: 1, k: 4, labels: null);

        Assert.Equal(["0.500000:1", "0.500000:3", "0.250000:0", "0.250000:2"], top);
    }

    [Fact]
    public void Classify_NaN_RanksBelowEveryNumber()
    {
        var top = TopK.Classify(DataType.Fp32, Bytes(float.NaN, -3f, float.NegativeInfinity), rows: 1, k: 3, labels: null);

        // .NET's float.NaN has its sign bit set, which glibc's %f prints as "-nan".
        Assert.Equal(["-3.000000:1", "-inf:2", "-nan:0"], top);
    }

    [Fact]
    public void Classify_SeveralRows_RanksEachRowOnItsOwn()
    {
        var top = TopK.Classify(DataType.Int64, Bytes(1L, 2, 3, 30, 20, 10), rows: 2, k: 1, labels: Labels);

        Assert.Equal(["3:2:bird", "30:0:cat"], top);
    }

    [Fact]
    public void Classify_LargeInt64_ComparesExactly()
    {
        // Equal as doubles, different as int64: compared in the output's own type, as Triton.
        var top = TopK.Classify(DataType.Int64, Bytes(long.MaxValue - 1, long.MaxValue), rows: 1, k: 1, labels: null);

        Assert.Equal(["9223372036854775807:1"], top);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(23)]
    [InlineData(57)]
    public void Classify_Top1_IsTheArgmax(int seed)
    {
        var random = new Random(seed);
        var values = Enumerable.Range(0, 100).Select(_ => random.NextSingle()).ToArray();
        var argmax = Array.IndexOf(values, values.Max());

        var top = TopK.Classify(DataType.Fp32, Bytes(values), rows: 1, k: 1, labels: null);

        Assert.Equal(argmax.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(top).Split(':')[1]);
    }

    [Theory]
    [InlineData(DataType.Bytes)]
    [InlineData(DataType.Bool)]
    [InlineData(DataType.Fp16)]
    [InlineData(DataType.Bf16)]
    public void Supports_TypesTritonDoesNotClassify_IsFalse(DataType type) => Assert.False(TopK.Supports(type));

    [Fact]
    public void Classify_UnsupportedType_Throws() =>
        Assert.Throws<ArgumentException>(() => TopK.Classify(DataType.Bool, new byte[2], rows: 1, k: 1, labels: null));
}
