using InferenceGrpc.Core.Monitoring.Drift;

namespace InferenceGrpc.Core.Tests.Monitoring.Drift;

public sealed class DriftMathTests
{
    [Fact]
    public void Psi_KnownCounts_MatchesHandComputedValue()
    {
        // (0.5-0.4)ln(0.5/0.4) + (0.3-0.4)ln(0.3/0.4) + (0.2-0.2)ln(1) = 0.1*0.223144 + 0.1*0.287682 = 0.0510826
        var psi = DriftMath.Psi([50, 30, 20], 100, [0.4, 0.4, 0.2]);

        Assert.Equal(0.0510826, psi, 6);
    }

    [Fact]
    public void Psi_SameDistribution_IsZero()
    {
        Assert.Equal(0, DriftMath.Psi([25, 25, 50], 100, [0.25, 0.25, 0.5]), 12);
    }

    [Fact]
    public void Psi_EmptyBin_IsFlooredAtEpsilonInsteadOfInfinite()
    {
        // Bin 0: a = 1e-4 (floored), e = 0.5: (1e-4 - 0.5) ln(1e-4 / 0.5); bin 1: a = 1, e = 0.5: 0.5 ln 2.
        var expected = ((1e-4 - 0.5) * Math.Log(1e-4 / 0.5)) + (0.5 * Math.Log(2));

        Assert.Equal(expected, DriftMath.Psi([0, 10], 10, [0.5, 0.5]), 9);
    }

    [Fact]
    public void Psi_NoValues_IsZero()
    {
        Assert.Equal(0, DriftMath.Psi([0, 0], 0, [0.5, 0.5]));
    }

    [Fact]
    public void Ks_KnownSlots_MatchesHandComputedMaximumGap()
    {
        // Quantiles q0..q2 with reference CDF 0.2, 0.6, 1.0. Window of 10: 1 value <= q0, 2 more <= q1, 3 more <= q2,
        // 4 above q2. Window CDF 0.1, 0.3, 0.6: gaps 0.1, 0.3, 0.4, so KS = 0.4.
        var ks = DriftMath.Ks([1, 2, 3, 4], 10, [0.2, 0.6, 1.0]);

        Assert.Equal(0.4, ks, 12);
    }

    [Fact]
    public void Ks_WindowEqualsReference_IsZero()
    {
        Assert.Equal(0, DriftMath.Ks([2, 4, 4, 0], 10, [0.2, 0.6, 1.0]), 12);
    }

    [Theory]
    [InlineData(-5.0, 0)]
    [InlineData(1.0, 1)]   // bin j holds [edge j-1, edge j): an edge value belongs to the bin above it
    [InlineData(1.5, 1)]
    [InlineData(2.0, 2)]
    [InlineData(9.0, 3)]
    public void Bin_Value_LandsInHalfOpenBin(double value, int bin)
    {
        Assert.Equal(bin, DriftMath.Bin([1.0, 2.0, 3.0], value));
    }

    [Theory]
    [InlineData(0.5, 0)]
    [InlineData(1.0, 0)]   // value <= q0
    [InlineData(1.1, 1)]
    [InlineData(3.0, 2)]
    [InlineData(3.5, 3)]   // above every quantile
    public void CdfSlot_Value_CountsQuantilesStrictlyBelow(double value, int slot)
    {
        Assert.Equal(slot, DriftMath.CdfSlot([1.0, 2.0, 3.0], value));
    }
}
