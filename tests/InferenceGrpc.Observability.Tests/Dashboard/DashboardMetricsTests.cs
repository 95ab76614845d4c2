using InferenceGrpc.Observability.Tests.Infrastructure;
using InferenceGrpc.Observability.Tests.PromQl;

namespace InferenceGrpc.Observability.Tests.Dashboard;

/// <summary>Every name the dashboard queries is one the real server exports: no panel can silently show "No data".</summary>
[Collection(ScrapeCollection.Name)]
public sealed class DashboardMetricsTests(ScrapeFixture fixture)
{
    /// <summary>Labels Prometheus adds to every scraped series; they are not in the exposition.</summary>
    internal static readonly HashSet<string> TargetLabels = new(StringComparer.Ordinal) { "job", "instance" };

    private readonly GrafanaDashboard _dashboard = GrafanaDashboard.Load();

    [Fact]
    public void Scrape_HasTheInferenceFamilies()
    {
        // The fixture's traffic must have produced them, or the checks below would prove little.
        Assert.True(fixture.Scrape.Families.Keys.Count(k => k.StartsWith("inference_", StringComparison.Ordinal)) >= 10,
            "the scrape lacks inference_* families:\n" + fixture.Scrape.Text);
    }

    [Fact]
    public void Metrics_EveryOneQueried_IsExported()
    {
        var exported = fixture.Scrape.QueryableNames;
        var missing = Queries()
            .SelectMany(q => PromQlNames.Of(q.Expr).Metrics.Select(m => (q.Where, Metric: m)))
            .Where(r => !exported.Contains(r.Metric))
            .Select(r => $"{r.Where}: {r.Metric}")
            .ToList();

        Assert.True(missing.Count == 0,
            "the dashboard queries metrics the server does not export:\n  " + string.Join("\n  ", missing) +
            "\nexported:\n  " + string.Join("\n  ", exported.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void Expressions_Every_SelectsAMetric()
    {
        Assert.All(Queries(), q => Assert.True(PromQlNames.Of(q.Expr).Selectors.Count > 0, $"{q.Where} selects no metric: {q.Expr}"));
    }

    [Fact]
    public void Labels_EveryMatcher_IsALabelOfItsMetric()
    {
        var wrong = (from q in Queries()
                     from selector in PromQlNames.Of(q.Expr).Selectors
                     from label in selector.Labels
                     where !TargetLabels.Contains(label) && !fixture.Scrape.LabelsOf(selector.Metric).Contains(label)
                     select $"{q.Where}: {selector.Metric}{{{label}}}").ToList();

        Assert.True(wrong.Count == 0, "matchers on labels their metric does not have:\n  " + string.Join("\n  ", wrong));
    }

    [Fact]
    public void Labels_EveryGroupingAndListedLabel_IsExported()
    {
        var known = fixture.Scrape.AllLabels.Concat(TargetLabels).ToHashSet(StringComparer.Ordinal);
        var used = Queries().SelectMany(q => PromQlNames.Of(q.Expr).GroupingLabels.Select(l => (Where: q.Where, Label: l)))
            .Concat(_dashboard.VariableQueries.Where(v => v.Label is not null).Select(v => (Where: $"variable {v.Variable}", Label: v.Label!)));

        var unknown = used.Where(u => !known.Contains(u.Label)).Select(u => $"{u.Where}: {u.Label}").ToList();
        Assert.True(unknown.Count == 0, "labels no series has:\n  " + string.Join("\n  ", unknown));
    }

    [Fact]
    public void Dashboard_ShowsEveryInferenceMetric()
    {
        var used = Queries().SelectMany(q => PromQlNames.Of(q.Expr).Metrics).ToHashSet(StringComparer.Ordinal);
        var unshown = fixture.Scrape.Families
            .Where(f => f.Key.StartsWith("inference_", StringComparison.Ordinal))
            .Where(f => !used.Contains(f.Key) && !new[] { "_bucket", "_sum", "_count" }.Any(s => used.Contains(f.Key + s)))
            .Select(f => f.Key)
            .ToList();

        Assert.True(unshown.Count == 0, "inference metrics no panel shows: " + string.Join(", ", unshown));
    }

    private IEnumerable<(string Where, string Expr)> Queries() =>
        _dashboard.Targets.Select(t => ($"panel '{t.Panel}' {t.RefId}", t.Expr ?? ""))
            .Concat(_dashboard.VariableQueries.Select(q => ($"variable {q.Variable}", q.Expr)));
}
