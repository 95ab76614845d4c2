namespace InferenceGrpc.Core.Monitoring.Drift;

/// <summary>
/// Reference statistics of a model version's training data (<c>&lt;model&gt;/&lt;version&gt;/baseline.json</c>): what the
/// live inputs and predictions are compared with. Written by <c>infergrpc baseline</c>; see docs/DRIFT.md.
/// </summary>
/// <param name="Rows">Rows of the dataset it was computed from.</param>
public sealed record DriftBaseline(long Rows, IReadOnlyList<InputBaseline> Inputs, IReadOnlyList<OutputBaseline> Outputs)
{
    /// <summary>The format tag of the file, checked by the parser so that a future layout is refused, not misread.</summary>
    public const string Format = "inferencegrpc.drift.baseline/1";

    /// <summary>The file name looked for in a version's folder.</summary>
    public const string FileName = "baseline.json";
}

/// <summary>The features of one numeric input: element positions of its per-row (non-batch) shape, flattened.</summary>
public sealed record InputBaseline(string Name, IReadOnlyList<FeatureBaseline> Features);

/// <summary>
/// One feature's reference distribution. PSI compares bin proportions over <see cref="BinEdges"/>; KS compares the
/// empirical CDF at each of <see cref="Quantiles"/> with <see cref="Cdf"/> (the reference fraction at or below it,
/// exact, so ties of a discrete feature do not read as drift). Missing means NaN or infinite.
/// </summary>
/// <param name="Index">Position in the input's flattened per-row shape.</param>
/// <param name="BinEdges">Interior edges, strictly increasing: k-1 edges make k bins; bin j holds [edge j-1, edge j).</param>
/// <param name="BinProportions">Reference fraction of finite values per bin (k values, summing to 1).</param>
/// <param name="Quantiles">Strictly increasing values spread over the reference range, min and max included.</param>
/// <param name="Cdf">Reference fraction of finite values &lt;= each quantile (non-decreasing, the last 1).</param>
public sealed record FeatureBaseline(
    int Index,
    double Mean,
    double Std,
    double Min,
    double Max,
    double MissingRate,
    double[] BinEdges,
    double[] BinProportions,
    double[] Quantiles,
    double[] Cdf);

/// <summary>How an output's prediction is summarised per row.</summary>
public enum PredictionKind
{
    /// <summary>The row's argmax: a class index, compared by class frequencies.</summary>
    Classes,

    /// <summary>The row's largest element (its only one for a regressor), compared over quantile bins.</summary>
    Scores,
}

/// <summary>
/// One output's reference prediction distribution. For <see cref="PredictionKind.Classes"/> the bins are the classes
/// (edges at 0.5, 1.5, ...), so both kinds are one histogram compared by PSI.
/// </summary>
public sealed record OutputBaseline(string Name, PredictionKind Kind, double[] BinEdges, double[] BinProportions)
{
    public static OutputBaseline ForClasses(string name, double[] classProportions) =>
        new(name, PredictionKind.Classes, ClassEdges(classProportions.Length), classProportions);

    /// <summary>Half-integer edges, so that class index c falls in bin c.</summary>
    public static double[] ClassEdges(int classes)
    {
        var edges = new double[Math.Max(0, classes - 1)];
        for (var i = 0; i < edges.Length; i++)
        {
            edges[i] = i + 0.5;
        }

        return edges;
    }
}

/// <summary>A baseline file that cannot be used; the message names the field, what was expected and what came.</summary>
public sealed class DriftBaselineException(string message) : Exception(message);
