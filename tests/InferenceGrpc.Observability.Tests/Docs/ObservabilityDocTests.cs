using System.Text.RegularExpressions;
using InferenceGrpc.Observability.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace InferenceGrpc.Observability.Tests.Docs;

/// <summary>docs/OBSERVABILITY.md against the code: log events, response parameters, flags, and valid alert rules.</summary>
public sealed partial class ObservabilityDocTests
{
    private static readonly (int From, int To, string Area)[] Ranges =
        [(1, 99, "hosting"), (100, 199, "model loading"), (200, 299, "ONNX Runtime"), (300, 399, "request errors"), (600, 699, "security"), (1000, 1099, "batching"),
         (700, 749, "drift monitoring"), (750, 799, "prediction capture and shadow versions"), (800, 849, "ensembles"), (850, 899, "processors")];

    private readonly string _doc = File.ReadAllText(SourceTree.ObservabilityDoc);

    [Fact]
    public void LogEvents_Table_ListsEveryLoggerMessageOfTheServer()
    {
        var declared = LogEvents.Declared.Select(e => $"{e.Id} {e.Name} {e.Level}").ToHashSet();
        var documented = EventRow().Matches(_doc).Select(m => $"{m.Groups["id"].Value} {m.Groups["name"].Value} {m.Groups["level"].Value}").ToHashSet();

        Assert.NotEmpty(declared);
        var undocumented = declared.Except(documented).Order().ToList();
        var stale = documented.Except(declared).Order().ToList();
        Assert.True(undocumented.Count == 0 && stale.Count == 0,
            "docs/OBSERVABILITY.md's event table (| Id | Name | Level | Message |) differs from the [LoggerMessage] methods in src/:\n" +
            $"  missing from the docs: {string.Join(", ", undocumented)}\n  in the docs only: {string.Join(", ", stale)}");
    }

    [Fact]
    public void LogEvents_Ids_AreUniqueAndInTheDocumentedRanges()
    {
        var events = LogEvents.Declared;

        var duplicates = events.GroupBy(e => e.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Where))}").ToList();
        Assert.True(duplicates.Count == 0, "event ids used twice:\n  " + string.Join("\n  ", duplicates));
        var outside = events.Where(e => !Ranges.Any(r => e.Id >= r.From && e.Id <= r.To)).Select(e => $"{e.Id} {e.Where}").ToList();
        Assert.True(outside.Count == 0, "event ids outside " + string.Join(", ", Ranges.Select(r => $"{r.From}-{r.To}")) + ":\n  " + string.Join("\n  ", outside));
        foreach (var (from, to, _) in Ranges)
        {
            Assert.Contains($"| {from}-{to} |", _doc, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void LogEvents_Parameters_CannotCarryTensorPayloads()
    {
        // Names, versions, counts, durations, devices, reasons and exceptions: nothing that holds tensor data.
        static bool Allowed(Type t) =>
            t == typeof(ILogger) || typeof(ILogger).IsAssignableFrom(t) || typeof(Exception).IsAssignableFrom(t) ||
            t == typeof(string) || t == typeof(bool) || t == typeof(TimeSpan) || t.IsEnum ||
            t == typeof(int) || t == typeof(long) || t == typeof(uint) || t == typeof(ulong) || t == typeof(double);

        var wrong = LogEvents.Declared
            .SelectMany(e => e.Method.GetParameters().Where(p => !Allowed(p.ParameterType)).Select(p => $"{e.Where}({p.ParameterType.Name} {p.Name})"))
            .ToList();

        Assert.True(wrong.Count == 0, "log methods that take more than scalars and text:\n  " + string.Join("\n  ", wrong));
    }

    [Theory]
    [InlineData("queue_time_us")]
    [InlineData("compute_time_us")]
    [InlineData("batch_size")]
    [InlineData("ModelStatistics")]
    [InlineData("--metrics-port")]
    [InlineData("--allow-metrics")]
    [InlineData("--otlp-endpoint")]
    [InlineData("--log-format")]
    [InlineData("--log-verbose")]
    [InlineData("inference.queue")]
    [InlineData("inference.batch")]
    [InlineData("traceparent")]
    [InlineData("otel_scope_name")]
    [InlineData("target_info")]
    public void Doc_Mentions(string term)
    {
        Assert.Matches(new Regex($"`{Regex.Escape(term)}[` ]"), _doc);
    }

    [Theory]
    [InlineData("success")]
    [InlineData("invalid")]
    [InlineData("not_found")]
    [InlineData("unavailable")]
    [InlineData("queue_full")]
    [InlineData("deadline")]
    [InlineData("cancelled")]
    [InlineData("internal")]
    public void Outcomes_Table_DescribesEachOutcome(string outcome)
    {
        Assert.Matches(new Regex($@"^\| `{outcome}` \| `[A-Z_]+` \|", RegexOptions.Multiline), _doc);
    }

    [Fact]
    public async Task AlertRules_PassPromtool()
    {
        var rules = DocBlocks.AlertRules(_doc);

        var result = await PromTool.CheckRulesAsync(rules);

        Assert.True(result.ExitCode == 0, "promtool rejects the alert rules of docs/OBSERVABILITY.md:\n" + result);
        Assert.Contains("SUCCESS", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromQl_EveryBlock_ParsesWithPromtool()
    {
        var blocks = DocBlocks.PromQl(_doc);

        Assert.True(blocks.Count >= 10, "docs/OBSERVABILITY.md should show its PromQL in ```promql blocks");
        await PromTool.AssertValidExpressionsAsync(blocks.Select((b, i) => ($"promql block {i + 1}", b)));
    }

    [GeneratedRegex(@"^\| (?<id>\d+) \| `(?<name>\w+)` \| (?<level>Trace|Debug|Information|Warning|Error|Critical) \|", RegexOptions.Multiline)]
    private static partial Regex EventRow();
}
