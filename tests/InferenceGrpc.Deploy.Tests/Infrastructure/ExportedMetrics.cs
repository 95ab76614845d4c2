using System.Text.RegularExpressions;

namespace InferenceGrpc.Deploy.Tests.Infrastructure;

/// <summary>The inference_* metrics the server exports, read from the instruments declared in
/// src/InferenceGrpc.Core/Diagnostics/InferenceMetrics.cs (the same names tests/InferenceGrpc.Observability.Tests
/// scrapes from a real server and docs/OBSERVABILITY.md lists), named as the Prometheus exporter names them.</summary>
public static partial class ExportedMetrics
{
    public static string SourcePath => Path.Combine(SourceTree.Root, "src", "InferenceGrpc.Core", "Diagnostics", "InferenceMetrics.cs");

    /// <summary>Features that make their own instruments on the same meter (drift, capture, shadow).</summary>
    public static string MonitoringPath => Path.Combine(SourceTree.Root, "src", "InferenceGrpc.Core", "Monitoring");

    /// <summary>Instrument kind by Prometheus base name (no _bucket/_sum/_count): "gauge", "counter" or "histogram".</summary>
    public static IReadOnlyDictionary<string, string> Instruments { get; } = Read();

    /// <summary>Every series name PromQL may use: gauges as is, counters with _total, histograms with _bucket/_sum/_count.</summary>
    public static IReadOnlySet<string> SeriesNames { get; } = Instruments
        .SelectMany(i => i.Value switch
        {
            "histogram" => new[] { i.Key + "_bucket", i.Key + "_sum", i.Key + "_count" },
            _ => [i.Key],
        })
        .ToHashSet();

    public static IReadOnlySet<string> Gauges { get; } = Instruments.Where(i => i.Value == "gauge").Select(i => i.Key).ToHashSet();

    /// <summary>Metric names (inference_*) in a PromQL expression; recording-rule names (with ':') are skipped.</summary>
    public static IEnumerable<string> NamesIn(string promql) => MetricName().Matches(promql).Select(m => m.Value).Distinct();

    private static Dictionary<string, string> Read()
    {
        var source = File.ReadAllText(SourcePath);
        if (Directory.Exists(MonitoringPath))
        {
            source += string.Concat(Directory.EnumerateFiles(MonitoringPath, "*.cs", SearchOption.AllDirectories).Order().Select(File.ReadAllText));
        }

        var result = new Dictionary<string, string>();
        foreach (Match m in Instrument().Matches(source))
        {
            var (factory, name, unit) = (m.Groups["factory"].Value, m.Groups["name"].Value.Replace('.', '_'), m.Groups["unit"].Value);
            switch (factory)
            {
                case "Histogram":
                    result[unit == "s" ? name + "_seconds" : name] = "histogram";
                    break;
                case "Counter":
                    result[name + "_total"] = "counter";
                    break;
                default:
                    result[name] = "gauge";
                    break;
            }
        }

        Assert.True(result.Count >= 8, $"expected the inference.* instruments in {SourcePath}; found {string.Join(", ", result.Keys)}");
        return result;
    }

    [GeneratedRegex("""(?:Create|CreateObservable)(?<factory>Histogram|Counter|Gauge|UpDownCounter)(?:<\w+>)?\(\s*"(?<name>inference\.[a-z._]+)"(?:\s*,\s*"(?<unit>[^"]*)")?""")]
    private static partial Regex Instrument();

    [GeneratedRegex(@"(?<![\w:])inference_[a-z_]+(?![\w:])")]
    private static partial Regex MetricName();
}
