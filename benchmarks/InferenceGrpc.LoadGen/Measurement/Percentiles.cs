namespace InferenceGrpc.LoadGen.Measurement;

/// <summary>Exact percentiles of a sample, by the nearest-rank method (no interpolation: every answer was observed).</summary>
internal static class Percentiles
{
    /// <summary>
    /// The smallest value with at least <paramref name="percentile"/>% of the sample at or below it:
    /// rank ⌈p/100 · n⌉ (1-based), rank 1 for p = 0.
    /// </summary>
    /// <param name="sorted">Ascending, at least one value.</param>
    /// <param name="percentile">0 to 100.</param>
    public static double NearestRank(ReadOnlySpan<double> sorted, double percentile)
    {
        if (sorted.IsEmpty)
        {
            throw new ArgumentException("the sample is empty", nameof(sorted));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);

        // Rounding first keeps 99.9% of 1000 at rank 999 despite 99.9/100*1000 = 999.0000000000001 in binary.
        var rank = (long)Math.Ceiling(Math.Round(percentile / 100 * sorted.Length, 9));
        return sorted[(int)Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    /// <summary>The usual summary of a sample of latencies: p50, p90, p99, p99.9, mean, min, max.</summary>
    public static Results.LatencySummary Summarize(double[] values)
    {
        if (values.Length == 0)
        {
            return Results.LatencySummary.Empty;
        }

        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return new Results.LatencySummary(
            NearestRank(sorted, 50), NearestRank(sorted, 90), NearestRank(sorted, 99), NearestRank(sorted, 99.9),
            sorted.Average(), sorted[0], sorted[^1]);
    }
}
