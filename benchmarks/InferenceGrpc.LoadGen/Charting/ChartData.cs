using System.Globalization;
using InferenceGrpc.LoadGen.Results;

namespace InferenceGrpc.LoadGen.Charting;

/// <summary>One line of the chart: points in level order, each with a short tag ("c=8", "b=16").</summary>
internal sealed record ChartSeries(string Label, double[] Throughput, double[] LatencyMs, string[] Tags, SeriesStyle Style, int Group);

internal enum SeriesStyle
{
    Median,
    Tail,
    InProcess,
}

/// <summary>A vertical line: the in-process compute ceiling.</summary>
internal sealed record Ceiling(string Label, double Throughput);

/// <summary>What a latency–throughput chart of some runs shows, independent of the plotting library.</summary>
internal sealed record ChartData(string Title, IReadOnlyList<ChartSeries> Series, IReadOnlyList<Ceiling> Ceilings)
{
    /// <summary>
    /// gRPC runs: p50 and p99 against rows/s, one point per level (so the knee shows where latency turns up while
    /// throughput stops growing). In-process runs: p50 per batch size, and a vertical line at the best rows/s.
    /// </summary>
    public static ChartData From(IReadOnlyList<BenchmarkRun> runs, string? title)
    {
        var series = new List<ChartSeries>();
        var ceilings = new List<Ceiling>();
        var group = 0;
        foreach (var run in runs)
        {
            var levels = run.Levels.Where(l => l.Requests > 0).ToArray();
            if (levels.Length == 0)
            {
                continue;
            }

            var x = levels.Select(l => l.RowsPerSecond).ToArray();
            if (run.Kind == RunKinds.InProcess)
            {
                series.Add(new ChartSeries($"{run.Label} p50 (batch {levels[0].BatchSize}..{levels[^1].BatchSize})", x,
                    levels.Select(l => l.LatencyMs.P50).ToArray(), levels.Select(l => "b=" + l.BatchSize.ToString(CultureInfo.InvariantCulture)).ToArray(),
                    SeriesStyle.InProcess, group));
                if (run.BestRowsPerSecond is { } best)
                {
                    ceilings.Add(new Ceiling($"{run.Label} ceiling: {best:N0} rows/s (batch {run.BestBatchSize})", best));
                }
            }
            else
            {
                var tags = levels.Select(l => run.Mode == "open"
                    ? "r=" + (l.TargetRatePerSecond ?? 0).ToString("0", CultureInfo.InvariantCulture)
                    : "c=" + l.Concurrency.ToString(CultureInfo.InvariantCulture)).ToArray();
                series.Add(new ChartSeries($"{run.Label} p50", x, levels.Select(l => l.LatencyMs.P50).ToArray(), tags, SeriesStyle.Median, group));
                series.Add(new ChartSeries($"{run.Label} p99", x, levels.Select(l => l.LatencyMs.P99).ToArray(), tags, SeriesStyle.Tail, group));
            }

            group++;
        }

        var models = runs.Select(r => r.Model).Distinct(StringComparer.Ordinal).ToArray();
        var machine = runs.Count > 0 ? $" ({runs[0].Machine.ProcessorCount} cores)" : "";
        return new ChartData(title ?? $"{string.Join(", ", models)}: latency vs throughput{machine}", series, ceilings);
    }
}
