namespace InferenceGrpc.Core.Monitoring.Drift;

/// <summary>The statistics drift is measured with, over counts so that a sliding window updates in O(1) per value.</summary>
public static class DriftMath
{
    /// <summary>
    /// Floor for an empty bin's proportion in PSI: without it one empty bin makes PSI infinite. 1e-4 is the usual
    /// choice; it caps one bin's contribution near 0.9 for a bin that holds everything on one side and nothing on the other.
    /// </summary>
    public const double Epsilon = 1e-4;

    /// <summary>The bin of <paramref name="value"/>: how many edges are &lt;= it (bin j holds [edge j-1, edge j)).</summary>
    public static int Bin(ReadOnlySpan<double> edges, double value)
    {
        int lo = 0, hi = edges.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (edges[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>
    /// How many quantiles are strictly below <paramref name="value"/>: the value is &lt;= quantile i exactly when the
    /// result is &lt;= i, which is what the empirical CDF at the quantiles needs.
    /// </summary>
    public static int CdfSlot(ReadOnlySpan<double> quantiles, double value)
    {
        int lo = 0, hi = quantiles.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (quantiles[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>
    /// Population stability index of observed bin counts against reference proportions:
    /// sum of (a - e) * ln(a / e), with a and e floored at <see cref="Epsilon"/>. 0 when <paramref name="total"/> is 0.
    /// </summary>
    public static double Psi(ReadOnlySpan<int> counts, int total, ReadOnlySpan<double> expected)
    {
        if (total <= 0)
        {
            return 0;
        }

        var psi = 0.0;
        for (var i = 0; i < counts.Length; i++)
        {
            var actual = Math.Max((double)counts[i] / total, Epsilon);
            var reference = Math.Max(expected[i], Epsilon);
            psi += (actual - reference) * Math.Log(actual / reference);
        }

        return psi;
    }

    /// <summary>
    /// Kolmogorov–Smirnov statistic evaluated at the reference quantiles: the largest |F_window(q_i) - F_ref(q_i)|.
    /// <paramref name="slotCounts"/> holds, per <see cref="CdfSlot"/> result (quantiles + 1 slots), how many window
    /// values fell there. 0 when <paramref name="total"/> is 0.
    /// </summary>
    public static double Ks(ReadOnlySpan<int> slotCounts, int total, ReadOnlySpan<double> referenceCdf)
    {
        if (total <= 0)
        {
            return 0;
        }

        var cumulative = 0L;
        var ks = 0.0;
        for (var i = 0; i < referenceCdf.Length; i++)
        {
            cumulative += slotCounts[i];
            ks = Math.Max(ks, Math.Abs((double)cumulative / total - referenceCdf[i]));
        }

        return ks;
    }
}
