using System.Globalization;
using System.Text;

namespace InferenceGrpc.LoadGen.Results;

/// <summary>Plain-text and markdown tables of level results.</summary>
internal static class TextTable
{
    public static string Render(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        text.AppendLine(string.Join("  ", headers.Select((h, i) => h.PadLeft(widths[i]))));
        text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in all)
        {
            text.AppendLine(string.Join("  ", row.Select((c, i) => c.PadLeft(widths[i]))));
        }

        return text.ToString();
    }

    public static string Markdown(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("| " + string.Join(" | ", headers) + " |");
        text.AppendLine("|" + string.Concat(headers.Select(_ => " ---: |")));
        foreach (var row in rows)
        {
            text.AppendLine("| " + string.Join(" | ", row) + " |");
        }

        return text.ToString();
    }

    /// <summary>The columns of a gRPC run: one row per level.</summary>
    public static (string[] Headers, List<string[]> Rows) GrpcLevels(BenchmarkRun run)
    {
        var open = run.Mode == "open";
        var headers = new List<string> { open ? "rate" : "conc", "requests", "req/s", "rows/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "errors", "batch" };
        if (open)
        {
            headers.Add("late");
        }

        headers.AddRange(["ws MB", "alloc B/req"]);
        var rows = run.Levels.Select(l =>
        {
            var row = new List<string>
            {
                open ? Number(l.TargetRatePerSecond ?? 0, 0) : l.Concurrency.ToString(CultureInfo.InvariantCulture),
                l.Requests.ToString(CultureInfo.InvariantCulture),
                Number(l.RequestsPerSecond, 1),
                Number(l.RowsPerSecond, 1),
                Ms(l.LatencyMs.P50), Ms(l.LatencyMs.P90), Ms(l.LatencyMs.P99), Ms(l.LatencyMs.P999),
                Errors(l),
                l.MeanBatchSize is { } b ? Number(b, 2) : "n/a",
            };
            if (open)
            {
                row.Add((l.Late ?? 0).ToString(CultureInfo.InvariantCulture));
            }

            row.Add(l.Memory is { } m ? Number(m.WorkingSetMb, 0) : "");
            row.Add(l.Memory is { } m2 ? Number(m2.AllocatedBytesPerRequest, 0) : "");
            return row.ToArray();
        }).ToList();
        return (headers.ToArray(), rows);
    }

    /// <summary>The columns of an in-process run: one row per batch size.</summary>
    public static (string[] Headers, List<string[]> Rows) InProcessLevels(BenchmarkRun run)
    {
        string[] headers = ["batch", "runs", "runs/s", "rows/s", "p50 ms", "p99 ms", "best"];
        var rows = run.Levels.Select(l => new[]
        {
            l.BatchSize.ToString(CultureInfo.InvariantCulture),
            l.Requests.ToString(CultureInfo.InvariantCulture),
            Number(l.RequestsPerSecond, 1),
            Number(l.RowsPerSecond, 1),
            Ms(l.LatencyMs.P50),
            Ms(l.LatencyMs.P99),
            l.BatchSize == run.BestBatchSize ? "*" : "",
        }).ToList();
        return (headers, rows);
    }

    public static string Errors(LevelResult level) => level.Errors == 0
        ? "0"
        : level.Errors.ToString(CultureInfo.InvariantCulture) + " (" +
          string.Join(", ", level.ErrorsByStatus.Select(e => $"{e.Key} {e.Value}")) + ")";

    public static string Number(double value, int decimals) => value.ToString("N" + decimals, CultureInfo.InvariantCulture);

    /// <summary>Milliseconds with three significant digits where they matter (0.123, 1.23, 12.3, 123).</summary>
    public static string Ms(double value) => value switch
    {
        < 1 => value.ToString("0.000", CultureInfo.InvariantCulture),
        < 10 => value.ToString("0.00", CultureInfo.InvariantCulture),
        < 100 => value.ToString("0.0", CultureInfo.InvariantCulture),
        _ => value.ToString("0", CultureInfo.InvariantCulture),
    };
}
