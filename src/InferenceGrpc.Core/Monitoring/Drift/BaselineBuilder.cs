namespace InferenceGrpc.Core.Monitoring.Drift;

/// <summary>
/// Computes baseline statistics from a dataset's values: quantile bins for PSI, a quantile grid with its exact
/// empirical CDF for KS, moments, range and missing rate. Pure and deterministic: the same values give the same file.
/// </summary>
public static class BaselineBuilder
{
    /// <summary>PSI bins per feature by default: deciles, the customary choice.</summary>
    public const int DefaultBins = 10;

    /// <summary>Quantile points per feature by default: every percentile, min and max included.</summary>
    public const int DefaultQuantiles = 101;

    /// <param name="values">The feature's value in every row of the dataset; NaN and infinities count as missing.</param>
    /// <exception cref="DriftBaselineException">No finite value, or bin/quantile counts out of range.</exception>
    public static FeatureBaseline Feature(int index, ReadOnlySpan<double> values, int bins = DefaultBins, int quantiles = DefaultQuantiles)
    {
        CheckCounts(bins, quantiles);
        var finite = Finite(values);
        if (finite.Length == 0)
        {
            throw new DriftBaselineException($"feature {index}: expected at least one finite value, got {values.Length} missing");
        }

        var mean = 0.0;
        foreach (var v in finite)
        {
            mean += v;
        }

        mean /= finite.Length;
        var variance = 0.0;
        foreach (var v in finite)
        {
            variance += (v - mean) * (v - mean);
        }

        var grid = Quantiles(finite, quantiles);
        var cdf = new double[grid.Length];
        for (var i = 0; i < grid.Length; i++)
        {
            cdf[i] = (double)UpperBound(finite, grid[i]) / finite.Length;
        }

        var (edges, proportions) = Histogram(finite, bins);
        return new FeatureBaseline(index, mean, Math.Sqrt(variance / finite.Length), finite[0], finite[^1],
            (double)(values.Length - finite.Length) / values.Length, edges, proportions, grid, cdf);
    }

    /// <summary>Class frequencies of the argmax of each row's prediction.</summary>
    public static OutputBaseline Classes(string name, ReadOnlySpan<int> predictedClasses, int classCount)
    {
        if (classCount < 2)
        {
            throw new DriftBaselineException($"output '{name}': expected 2 or more classes, got {classCount}");
        }

        var counts = new double[classCount];
        foreach (var c in predictedClasses)
        {
            counts[c]++;
        }

        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] /= Math.Max(1, predictedClasses.Length);
        }

        return OutputBaseline.ForClasses(name, counts);
    }

    /// <summary>Quantile bins of each row's score (its largest element).</summary>
    public static OutputBaseline Scores(string name, ReadOnlySpan<double> scores, int bins = DefaultBins)
    {
        CheckCounts(bins, DefaultQuantiles);
        var finite = Finite(scores);
        if (finite.Length == 0)
        {
            throw new DriftBaselineException($"output '{name}': expected at least one finite score, got none");
        }

        var (edges, proportions) = Histogram(finite, bins);
        return new OutputBaseline(name, PredictionKind.Scores, edges, proportions);
    }

    /// <summary>The per-row prediction an output is summarised by: argmax for classes, the largest element for scores.</summary>
    public static double Summarise(PredictionKind kind, ReadOnlySpan<double> row)
    {
        var best = 0;
        for (var i = 1; i < row.Length; i++)
        {
            // NaN never wins, so a NaN score cannot hide a real class.
            if (row[i] > row[best] || double.IsNaN(row[best]))
            {
                best = i;
            }
        }

        return kind == PredictionKind.Classes ? best : row.IsEmpty ? double.NaN : row[best];
    }

    private static void CheckCounts(int bins, int quantiles)
    {
        if (bins is < 2 or > DriftBaselineJson.MaxPoints)
        {
            throw new DriftBaselineException($"bins: expected 2..{DriftBaselineJson.MaxPoints}, got {bins}");
        }

        if (quantiles is < 2 or > DriftBaselineJson.MaxPoints)
        {
            throw new DriftBaselineException($"quantiles: expected 2..{DriftBaselineJson.MaxPoints}, got {quantiles}");
        }
    }

    private static double[] Finite(ReadOnlySpan<double> values)
    {
        var finite = new List<double>(values.Length);
        foreach (var v in values)
        {
            if (double.IsFinite(v))
            {
                finite.Add(v);
            }
        }

        var sorted = finite.ToArray();
        Array.Sort(sorted);
        return sorted;
    }

    /// <summary>
    /// Evenly spaced quantiles, each a value of the data (nearest rank, so a discrete feature gets its own values),
    /// min and max included, duplicates dropped.
    /// </summary>
    private static double[] Quantiles(double[] sorted, int count)
    {
        var grid = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var q = sorted[(int)Math.Round((double)i / (count - 1) * (sorted.Length - 1), MidpointRounding.AwayFromZero)];
            if (grid.Count == 0 || q > grid[^1])
            {
                grid.Add(q);
            }
        }

        return grid.ToArray();
    }

    private static (double[] Edges, double[] Proportions) Histogram(double[] sorted, int bins)
    {
        // Interior quantiles as edges, each the first value of its bin (bins are [edge j-1, edge j)), so equal
        // counts land in each bin; ties collapse, so a constant or binary feature gets fewer, honest bins.
        var edges = new List<double>(bins - 1);
        for (var i = 1; i < bins; i++)
        {
            var edge = sorted[Math.Min(sorted.Length - 1, (int)((long)i * sorted.Length / bins))];
            if (edges.Count == 0 || edge > edges[^1])
            {
                edges.Add(edge);
            }
        }

        var edgeArray = edges.ToArray();
        var proportions = new double[edgeArray.Length + 1];
        foreach (var v in sorted)
        {
            proportions[DriftMath.Bin(edgeArray, v)]++;
        }

        for (var i = 0; i < proportions.Length; i++)
        {
            proportions[i] /= sorted.Length;
        }

        return (edgeArray, proportions);
    }

    /// <summary>How many sorted values are &lt;= <paramref name="value"/>.</summary>
    private static int UpperBound(double[] sorted, double value) => DriftMath.Bin(sorted, value);
}
