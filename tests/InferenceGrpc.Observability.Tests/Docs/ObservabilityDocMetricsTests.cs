using System.Text.RegularExpressions;
using InferenceGrpc.Observability.Tests.Dashboard;
using InferenceGrpc.Observability.Tests.Infrastructure;
using InferenceGrpc.Observability.Tests.PromQl;

namespace InferenceGrpc.Observability.Tests.Docs;

/// <summary>docs/OBSERVABILITY.md against a real scrape: it describes every inference metric, and its PromQL names real ones.</summary>
[Collection(ScrapeCollection.Name)]
public sealed class ObservabilityDocMetricsTests(ScrapeFixture fixture)
{
    /// <summary>Fields of Triton's ModelStatistics message, which the page describes too.</summary>
    private static readonly HashSet<string> TritonFields = new(StringComparer.Ordinal) { "inference_count", "inference_stats" };

    private readonly string _doc = File.ReadAllText(SourceTree.ObservabilityDoc);

    [Fact]
    public void Doc_DescribesEveryInferenceMetricTheServerExports()
    {
        var families = fixture.Scrape.Families.Keys.Where(k => k.StartsWith("inference_", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(families);
        // In the metrics table: a row that starts with the name, and its type.
        var undocumented = families
            .Where(f => !Regex.IsMatch(_doc, $@"^\| `{f}` \| {fixture.Scrape.Families[f]} \|", RegexOptions.Multiline))
            .ToList();
        Assert.True(undocumented.Count == 0,
            "docs/OBSERVABILITY.md's metrics table lacks a row '| `name` | type |' for: " + string.Join(", ", undocumented));
    }

    [Fact]
    public void Doc_MentionsOnlyInferenceMetricsTheServerExports()
    {
        var exported = fixture.Scrape.QueryableNames;
        var stale = Regex.Matches(_doc, @"\binference_[a-z_]+\b").Select(m => m.Value)
            .Where(n => !exported.Contains(n) && !fixture.Scrape.Families.ContainsKey(n) && !TritonFields.Contains(n))
            .Distinct()
            .ToList();

        Assert.True(stale.Count == 0, "docs/OBSERVABILITY.md names inference metrics the server does not export: " + string.Join(", ", stale));
    }

    [Fact]
    public void PromQl_EveryQueryAndAlert_UsesExportedMetricsAndLabels()
    {
        var queries = DocBlocks.PromQl(_doc).Select((q, i) => ($"promql block {i + 1}", q))
            .Concat(DocBlocks.RuleExpressions(DocBlocks.AlertRules(_doc)).Select((q, i) => ($"alert rule {i + 1}", q)))
            .ToList();
        var exported = fixture.Scrape.QueryableNames;
        var known = fixture.Scrape.AllLabels.Concat(DashboardMetricsTests.TargetLabels).ToHashSet(StringComparer.Ordinal);

        Assert.True(queries.Count >= 15);
        var problems = new List<string>();
        foreach (var (where, query) in queries)
        {
            var names = PromQlNames.Of(query);
            if (names.Selectors.Count == 0)
            {
                problems.Add($"{where}: selects no metric");
            }

            problems.AddRange(names.Metrics.Where(m => !exported.Contains(m)).Select(m => $"{where}: metric {m} is not exported"));
            problems.AddRange(names.Selectors.SelectMany(s => s.Labels
                .Where(l => !DashboardMetricsTests.TargetLabels.Contains(l) && !fixture.Scrape.LabelsOf(s.Metric).Contains(l))
                .Select(l => $"{where}: {s.Metric} has no label {l}")));
            problems.AddRange(names.GroupingLabels.Where(l => !known.Contains(l)).Select(l => $"{where}: no series has label {l}"));
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
