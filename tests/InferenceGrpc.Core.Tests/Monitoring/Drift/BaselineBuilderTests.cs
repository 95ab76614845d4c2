using InferenceGrpc.Core.Monitoring.Drift;

namespace InferenceGrpc.Core.Tests.Monitoring.Drift;

public sealed class BaselineBuilderTests
{
    private static readonly double[] OneToHundred = Enumerable.Range(1, 100).Select(i => (double)i).ToArray();

    [Fact]
    public void Feature_OneToHundred_HasExactMomentsRangeAndDecileBins()
    {
        var f = BaselineBuilder.Feature(3, OneToHundred);

        Assert.Equal(3, f.Index);
        Assert.Equal(50.5, f.Mean, 12);
        Assert.Equal(Math.Sqrt(833.25), f.Std, 9);   // population variance of 1..100 = (100^2 - 1) / 12
        Assert.Equal(1, f.Min);
        Assert.Equal(100, f.Max);
        Assert.Equal(0, f.MissingRate);
        Assert.Equal(9, f.BinEdges.Length);
        Assert.Equal(11, f.BinEdges[0]);               // the first value of the second decile
        Assert.All(f.BinProportions, p => Assert.Equal(0.1, p, 12));
        Assert.Equal(100, f.Quantiles.Length);        // 101 percentiles of 100 values: one repeats, and is dropped
        Assert.Equal(1, f.Quantiles[0]);
        Assert.Equal(100, f.Quantiles[^1]);
        Assert.Equal(0.01, f.Cdf[0], 12);                // one value <= 1
        Assert.Equal(1, f.Cdf[^1]);
    }

    [Fact]
    public void Feature_NaNAndInfinity_CountAsMissingAndStayOutOfTheStatistics()
    {
        double[] values = [1, 2, double.NaN, 3, double.PositiveInfinity];

        var f = BaselineBuilder.Feature(0, values);

        Assert.Equal(0.4, f.MissingRate, 12);
        Assert.Equal(2, f.Mean, 12);
        Assert.Equal(3, f.Max);
    }

    [Fact]
    public void Feature_BinaryValues_CollapseTiedEdgesAndKeepTheExactCdf()
    {
        var values = Enumerable.Repeat(0.0, 70).Concat(Enumerable.Repeat(1.0, 30)).ToArray();

        var f = BaselineBuilder.Feature(0, values);

        Assert.Equal([0.0, 1.0], f.BinEdges);
        Assert.Equal([0.0, 0.7, 0.3], f.BinProportions.Select(p => Math.Round(p, 12)));
        Assert.Equal([0.0, 1.0], f.Quantiles);
        Assert.Equal([0.7, 1.0], f.Cdf.Select(p => Math.Round(p, 12)));
    }

    [Fact]
    public void Feature_OnlyMissing_ThrowsNamingTheFeature()
    {
        var ex = Assert.Throws<DriftBaselineException>(() => BaselineBuilder.Feature(7, [double.NaN, double.NaN]));

        Assert.Contains("feature 7", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Classes_PredictedIndices_GiveClassFrequencies()
    {
        var o = BaselineBuilder.Classes("probs", [0, 1, 1, 2, 1], 3);

        Assert.Equal(PredictionKind.Classes, o.Kind);
        Assert.Equal([0.2, 0.6, 0.2], o.BinProportions.Select(p => Math.Round(p, 12)));
        Assert.Equal([0.5, 1.5], o.BinEdges);
    }

    [Theory]
    [InlineData(PredictionKind.Classes, 1.0)]
    [InlineData(PredictionKind.Scores, 0.7)]
    public void Summarise_Row_GivesArgmaxOrTopScore(PredictionKind kind, double expected)
    {
        Assert.Equal(expected, BaselineBuilder.Summarise(kind, [0.1, 0.7, 0.2]));
    }
}
