using System.Globalization;
using System.Text;
using InferenceGrpc.LoadGen.Results;

namespace InferenceGrpc.LoadGen.Reporting;

/// <summary>
/// The markdown summary of a comparison: per model, the in-process compute ceiling, every gRPC series with its ratio
/// to the echo server (transport ceiling) at the same concurrency and to the in-process best, and the fixed cost of
/// one request (c=1 median minus the in-process batch-1 median).
/// </summary>
internal static class SummaryWriter
{
    public static string Write(IReadOnlyList<BenchmarkRun> runs, string title, IReadOnlyList<string> notes)
    {
        var md = new StringBuilder();
        md.AppendLine($"# {title}").AppendLine();
        if (runs.Count > 0)
        {
            var machine = runs[0].Machine;
            md.AppendLine($"Machine: {machine.ProcessorCount} cores, {machine.Os}, {machine.Runtime} ({machine.Architecture}). " +
                          "The load generator and the server share it, so at high concurrency they compete for the cores.");
            var durations = runs.Select(r => $"{r.DurationSeconds:0.###} s").Distinct().ToArray();
            var warmups = runs.Select(r => $"{r.WarmupSeconds:0.###} s").Distinct().ToArray();
            md.AppendLine($"Measured {string.Join("/", durations)} per level after {string.Join("/", warmups)} of warm-up.").AppendLine();
        }

        foreach (var note in notes)
        {
            md.AppendLine($"- {note}");
        }

        if (notes.Count > 0)
        {
            md.AppendLine();
        }

        foreach (var model in runs.Select(r => r.Model).Distinct(StringComparer.Ordinal))
        {
            WriteModel(md, model, runs.Where(r => r.Model == model).ToArray());
        }

        md.AppendLine("## Commands").AppendLine().AppendLine("```sh");
        foreach (var command in runs.Select(r => r.CommandLine).Where(c => c.Length > 0).Distinct(StringComparer.Ordinal))
        {
            md.AppendLine(command);
        }

        md.AppendLine("```");
        return md.ToString();
    }

    private static void WriteModel(StringBuilder md, string model, BenchmarkRun[] runs)
    {
        md.AppendLine($"## {model}").AppendLine();
        var grpc = runs.Where(r => r.Kind == RunKinds.Grpc).ToArray();
        var inProcess = runs.FirstOrDefault(r => r.Kind == RunKinds.InProcess);
        var echo = grpc.FirstOrDefault(r => r.Role == RunRoles.Echo && !r.Stream) ?? grpc.FirstOrDefault(r => r.Role == RunRoles.Echo);
        var reference = grpc.FirstOrDefault() ?? inProcess;
        if (reference is not null)
        {
            md.AppendLine("Request: " + string.Join(", ", reference.Inputs.Select(i => $"`{i.Name}` {i.Datatype} [{string.Join(",", i.Shape)}]")) +
                          $", {reference.RequestTensorBytes:N0} tensor bytes.").AppendLine();
        }

        double? bestInProcess = inProcess?.BestRowsPerSecond;
        double? batchOneP50 = inProcess?.Levels.FirstOrDefault(l => l.BatchSize == 1)?.LatencyMs.P50;
        if (inProcess is not null)
        {
            md.AppendLine($"### Compute ceiling: ONNX Runtime in-process, one caller ({inProcess.ExecutionProvider}, intra-op threads " +
                          $"{(inProcess.IntraOpThreads is 0 or null ? "default" : inProcess.IntraOpThreads)})").AppendLine();
            var table = TextTable.InProcessLevels(inProcess);
            md.Append(TextTable.Markdown(table.Headers, table.Rows)).AppendLine();
            md.AppendLine($"Best: batch {inProcess.BestBatchSize}, {Num(bestInProcess ?? 0)} rows/s.").AppendLine();
        }

        if (grpc.Length == 0)
        {
            return;
        }

        md.AppendLine("### Over gRPC").AppendLine();
        md.AppendLine("`vs echo`: rows/s over the echo server's at the same concurrency (transport ceiling, same payload in, " +
                      "payload echoed back); `vs in-process`: rows/s over the in-process best (compute ceiling). " +
                      "`batch`: mean `batch_size` response parameter (n/a: the server sends none).").AppendLine();
        string[] headers = ["series", "calls", "conc", "req/s", "rows/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "batch", "errors", "vs echo", "vs in-process"];
        var rows = new List<string[]>();
        foreach (var run in grpc)
        {
            foreach (var level in run.Levels)
            {
                var echoLevel = echo?.Levels.FirstOrDefault(l => l.Concurrency == level.Concurrency && l.TargetRatePerSecond == level.TargetRatePerSecond);
                rows.Add(
                [
                    run.Label,
                    run.Stream ? $"stream (window {run.Window})" : run.Mode == "open" ? "unary, open loop" : "unary",
                    run.Mode == "open" ? $"rate {level.TargetRatePerSecond:0}" : level.Concurrency.ToString(CultureInfo.InvariantCulture),
                    Num(level.RequestsPerSecond), Num(level.RowsPerSecond),
                    TextTable.Ms(level.LatencyMs.P50), TextTable.Ms(level.LatencyMs.P90), TextTable.Ms(level.LatencyMs.P99), TextTable.Ms(level.LatencyMs.P999),
                    level.MeanBatchSize is { } b ? b.ToString("0.00", CultureInfo.InvariantCulture) : "n/a",
                    TextTable.Errors(level),
                    Ratio(level.RowsPerSecond, echoLevel?.RowsPerSecond),
                    Ratio(level.RowsPerSecond, bestInProcess),
                ]);
            }
        }

        md.Append(TextTable.Markdown(headers, rows)).AppendLine();

        md.AppendLine("### Headline").AppendLine();
        var echoSingle = echo?.Levels.FirstOrDefault(l => l.Concurrency == 1 && l.Requests > 0);
        var echoBest = echo?.Levels.Where(l => l.Requests > 0).MaxBy(l => l.RowsPerSecond);
        if (echoBest is not null)
        {
            md.AppendLine($"Transport ceiling (echo): best {Num(echoBest.RowsPerSecond)} rows/s at concurrency {echoBest.Concurrency}" +
                          (echoSingle is null ? "." : $"; one request round trip (c=1 p50) {TextTable.Ms(echoSingle.LatencyMs.P50)} ms.")).AppendLine();
        }

        md.AppendLine("Best rows/s of each server series against the two ceilings, and the fixed cost of one request: the median at " +
                      "concurrency 1 minus the in-process batch-1 median (transport + server), and that minus the echo server's " +
                      "c=1 median (the server's own share).").AppendLine();
        string[] headlineHeaders =
        [
            "series", "best rows/s", "at conc", "vs in-process best", "vs echo (same conc)", "c=1 p50 ms", "− in-process b=1 p50 ms", "− echo c=1 p50 ms",
        ];
        var headline = new List<string[]>();
        foreach (var run in grpc.Where(r => r.Role != RunRoles.Echo))
        {
            var best = run.Levels.Where(l => l.Requests > 0).MaxBy(l => l.RowsPerSecond);
            if (best is null)
            {
                continue;
            }

            var echoAtBest = echo?.Levels.FirstOrDefault(l => l.Concurrency == best.Concurrency && l.TargetRatePerSecond == best.TargetRatePerSecond);
            var single = run.Mode == "closed" ? run.Levels.FirstOrDefault(l => l.Concurrency == 1 && l.Requests > 0) : null;
            double? overhead = single is null || batchOneP50 is null ? null : single.LatencyMs.P50 - batchOneP50.Value;
            headline.Add(
            [
                run.Label,
                Num(best.RowsPerSecond),
                run.Mode == "open" ? $"rate {best.TargetRatePerSecond:0}" : best.Concurrency.ToString(CultureInfo.InvariantCulture),
                Ratio(best.RowsPerSecond, bestInProcess),
                Ratio(best.RowsPerSecond, echoAtBest?.RowsPerSecond),
                single is null ? "—" : TextTable.Ms(single.LatencyMs.P50),
                Signed(overhead),
                Signed(overhead - echoSingle?.LatencyMs.P50),
            ]);
        }

        md.Append(TextTable.Markdown(headlineHeaders, headline)).AppendLine();
    }

    /// <summary>value / baseline: two decimals, or two significant digits below 0.1 (0.0043×); a dash without a baseline.</summary>
    public static string Ratio(double value, double? baseline)
    {
        if (baseline is not > 0)
        {
            return "—";
        }

        var ratio = value / baseline.Value;
        return (ratio >= 0.1 || ratio == 0 ? ratio.ToString("0.00", CultureInfo.InvariantCulture) : TwoSignificant(ratio)) + "×";
    }

    private static string TwoSignificant(double value)
    {
        var decimals = Math.Max(0, 1 - (int)Math.Floor(Math.Log10(value)));
        return Math.Round(value, decimals).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    private static string Signed(double? ms) => ms is { } v ? v.ToString("+0.000;-0.000", CultureInfo.InvariantCulture) : "—";

    private static string Num(double value) => value.ToString("N1", CultureInfo.InvariantCulture);
}
