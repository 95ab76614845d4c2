using InferenceGrpc.LoadGen.Measurement;

namespace InferenceGrpc.LoadGen.Tests.Measurement;

public sealed class PercentilesTests
{
    private static readonly double[] OneToHundred = Enumerable.Range(1, 100).Select(i => (double)i).ToArray();

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(50, 50)]
    [InlineData(50.5, 51)]
    [InlineData(90, 90)]
    [InlineData(99, 99)]
    [InlineData(99.9, 100)]
    [InlineData(100, 100)]
    public void NearestRank_OneToHundred_IsTheRankCeilingOfPTimesN(double percentile, double expected)
    {
        Assert.Equal(expected, Percentiles.NearestRank(OneToHundred, percentile));
    }

    [Fact]
    public void NearestRank_P999OfThousand_IsTheNineHundredNinetyNinthValue()
    {
        // 99.9 / 100 * 1000 is 999.0000000000001 in binary: the rank must still be 999, not 1000.
        var sorted = Enumerable.Range(1, 1000).Select(i => (double)i).ToArray();

        Assert.Equal(999, Percentiles.NearestRank(sorted, 99.9));
    }

    [Fact]
    public void NearestRank_SingleValue_IsThatValueAtEveryPercentile()
    {
        Assert.Equal(7.5, Percentiles.NearestRank([7.5], 0));
        Assert.Equal(7.5, Percentiles.NearestRank([7.5], 50));
        Assert.Equal(7.5, Percentiles.NearestRank([7.5], 100));
    }

    [Fact]
    public void NearestRank_EmptyOrOutOfRange_Throws()
    {
        Assert.Throws<ArgumentException>(() => Percentiles.NearestRank([], 50));
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.NearestRank(OneToHundred, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.NearestRank(OneToHundred, 100.1));
    }

    [Fact]
    public void Summarize_UnsortedSample_SortsAndReportsEveryStatistic()
    {
        var sample = OneToHundred.Reverse().ToArray();

        var summary = Percentiles.Summarize(sample);

        Assert.Equal(new(50, 90, 99, 100, 50.5, 1, 100), summary);
        Assert.Equal(100, sample[0]);   // the caller's array is left as it was
    }

    [Fact]
    public void Summarize_Empty_IsAllZero()
    {
        Assert.Equal(LoadGen.Results.LatencySummary.Empty, Percentiles.Summarize([]));
    }
}
