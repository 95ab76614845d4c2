using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using InferenceGrpc.Observability.Tests.Infrastructure;

namespace InferenceGrpc.Observability.Tests.Dashboard;

/// <summary>The dashboard's shape, without a server: panels operators expect, valid PromQL, sound references.</summary>
public sealed partial class DashboardStructureTests
{
    private const string DatasourceUid = "${datasource}";

    private readonly GrafanaDashboard _dashboard = GrafanaDashboard.Load();

    /// <summary>The panels the dashboard exists for: title, panel type, unit (null: none asserted).</summary>
    public static TheoryData<string, string, string?> RequiredPanels => new()
    {
        { "Request rate by model and version", "timeseries", "reqps" },
        { "Latency p50 and p99 by model and version", "timeseries", "s" },
        { "Queue vs compute time p99", "timeseries", "s" },
        { "Mean queue and compute time (stacked)", "timeseries", "s" },
        { "Batch size distribution", "heatmap", null },
        { "Mean batch size", "timeseries", "none" },
        { "Queue depth by model version", "timeseries", "short" },
        { "In-flight requests by model version", "timeseries", "short" },
        { "Failures by reason", "timeseries", "reqps" },
        { "Model readiness", "table", null },
        { "Process memory (working set)", "timeseries", "bytes" },
        { "GC heap size by generation", "timeseries", "bytes" },
        { "GC collections per second", "timeseries", null },
    };

    [Fact]
    public void Dashboard_Identity_IsSchema39WithAStableUid()
    {
        Assert.Equal(39, (int?)_dashboard.Root["schemaVersion"]);
        var uid = (string?)_dashboard.Root["uid"];
        Assert.NotNull(uid);
        Assert.Matches(UidPattern(), uid);
        Assert.False(string.IsNullOrWhiteSpace((string?)_dashboard.Root["title"]));
        // A provisioned dashboard must not carry a database id of another Grafana.
        Assert.Null((int?)_dashboard.Root["id"]);
    }

    [Fact]
    public void Panels_Ids_AreUnique()
    {
        var ids = _dashboard.Panels.Select(p => (int?)p["id"]).ToList();

        Assert.All(ids, id => Assert.True(id > 0, "every panel needs a positive id"));
        var duplicates = ids.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, "duplicate panel ids: " + string.Join(", ", duplicates));
    }

    [Fact]
    public void Panels_Titles_AreUnique()
    {
        var duplicates = _dashboard.DataPanels.GroupBy(GrafanaDashboard.Title).Where(g => g.Count() > 1).Select(g => g.Key).ToList();

        Assert.True(duplicates.Count == 0, "panel titles used twice: " + string.Join(", ", duplicates));
    }

    [Fact]
    public void Variables_DatasourceModelAndVersion_AreDefined()
    {
        var variables = _dashboard.Variables.ToDictionary(v => (string)v["name"]!);
        Assert.Equal(variables.Count, _dashboard.Variables.Count());

        var datasource = variables["datasource"];
        Assert.Equal("datasource", (string?)datasource["type"]);
        Assert.Equal("prometheus", (string?)datasource["query"]);

        var queries = _dashboard.VariableQueries.ToDictionary(q => q.Variable);
        foreach (var label in new[] { "model", "version" })
        {
            var (_, expr, listed) = queries[label];
            Assert.Equal(label, listed);
            Assert.StartsWith("inference_requests_total", expr.Trim());
            Assert.Equal(DatasourceUid, (string?)variables[label]["datasource"]?["uid"]);
            Assert.True((bool?)variables[label]["includeAll"], $"variable {label} needs an All option");
        }
    }

    [Fact]
    public void Panels_EveryDataPanel_ReadsTheDatasourceVariableAndIsDescribed()
    {
        foreach (var panel in _dashboard.DataPanels)
        {
            var title = GrafanaDashboard.Title(panel);
            Assert.False(string.IsNullOrWhiteSpace(title), $"panel {panel["id"]} has no title");
            Assert.True(((string?)panel["description"])?.Length > 20, $"panel '{title}' needs a description");
            Assert.Equal(DatasourceUid, (string?)panel["datasource"]?["uid"]);
            foreach (var target in (panel["targets"]?.AsArray() ?? []).OfType<JsonObject>())
            {
                if (target["datasource"] is JsonObject datasource)
                {
                    Assert.Equal(DatasourceUid, (string?)datasource["uid"]);
                }
            }
        }
    }

    [Fact]
    public void Targets_Every_HasAnExpressionAndAUniqueRefId()
    {
        var targets = _dashboard.Targets.ToList();

        Assert.NotEmpty(targets);
        Assert.All(targets, t =>
        {
            Assert.False(string.IsNullOrWhiteSpace(t.Expr), $"a target of '{t.Panel}' has no expr");
            Assert.False(string.IsNullOrWhiteSpace(t.RefId), $"a target of '{t.Panel}' has no refId");
        });
        foreach (var panel in targets.GroupBy(t => t.Panel))
        {
            Assert.True(panel.Select(t => t.RefId).Distinct().Count() == panel.Count(), $"refIds repeat in '{panel.Key}'");
        }

        Assert.All(_dashboard.DataPanels, p => Assert.True(p["targets"]?.AsArray().Count > 0, $"'{GrafanaDashboard.Title(p)}' has no query"));
    }

    [Theory]
    [MemberData(nameof(RequiredPanels))]
    public void Panels_Required_ArePresentWithTheirTypeAndUnit(string title, string type, string? unit)
    {
        var panel = _dashboard.DataPanels.SingleOrDefault(p => GrafanaDashboard.Title(p) == title);

        Assert.True(panel is not null, $"no panel titled '{title}'; panels: {string.Join(", ", _dashboard.DataPanels.Select(GrafanaDashboard.Title))}");
        Assert.Equal(type, GrafanaDashboard.Type(panel));
        if (unit is not null)
        {
            Assert.Equal(unit, (string?)panel["fieldConfig"]?["defaults"]?["unit"]);
        }
    }

    [Fact]
    public void Panels_QueueVsCompute_ShowsBothP99s()
    {
        var exprs = Exprs("Queue vs compute time p99");

        Assert.Contains(exprs, e => e.Contains("histogram_quantile(0.99", StringComparison.Ordinal) && e.Contains("inference_queue_duration_seconds_bucket", StringComparison.Ordinal));
        Assert.Contains(exprs, e => e.Contains("histogram_quantile(0.99", StringComparison.Ordinal) && e.Contains("inference_compute_duration_seconds_bucket", StringComparison.Ordinal));
    }

    [Fact]
    public void Panels_FailuresByReason_StacksEveryOutcomeButSuccess()
    {
        var panel = Panel("Failures by reason");

        Assert.Equal("normal", (string?)panel["fieldConfig"]?["defaults"]?["custom"]?["stacking"]?["mode"]);
        var expr = Assert.Single(Exprs("Failures by reason"));
        Assert.Contains("outcome!=\"success\"", expr, StringComparison.Ordinal);
        Assert.Contains("by (outcome)", expr, StringComparison.Ordinal);
    }

    [Fact]
    public void Panels_BatchSizeDistribution_IsAHeatmapOfTheBuckets()
    {
        var target = Assert.Single(Panel("Batch size distribution")["targets"]!.AsArray())!;

        Assert.Equal("heatmap", (string?)target["format"]);
        Assert.Contains("inference_batch_size_bucket", (string?)target["expr"], StringComparison.Ordinal);
        Assert.Contains("by (le)", (string?)target["expr"], StringComparison.Ordinal);
        Assert.Contains(Exprs("Mean batch size"), e => e.Contains("inference_inferences_total", StringComparison.Ordinal) && e.Contains("inference_executions_total", StringComparison.Ordinal));
    }

    [Fact]
    public void Panels_LatencyAndRates_SplitByModelAndVersion()
    {
        foreach (var title in new[] { "Request rate by model and version", "Latency p50 and p99 by model and version", "Queue depth by model version", "In-flight requests by model version" })
        {
            Assert.All(Exprs(title), e => Assert.Contains("by (model, version", e, StringComparison.Ordinal));
        }

        Assert.Contains(Exprs("Latency p50 and p99 by model and version"), e => e.StartsWith("histogram_quantile(0.5,", StringComparison.Ordinal));
        Assert.Contains(Exprs("Latency p50 and p99 by model and version"), e => e.StartsWith("histogram_quantile(0.99,", StringComparison.Ordinal));
    }

    [Fact]
    public void Layout_Panels_FitTheGridWithoutOverlapping()
    {
        var boxes = _dashboard.Panels.Select(p => (
            Title: GrafanaDashboard.Title(p),
            X: (int)p["gridPos"]!["x"]!, Y: (int)p["gridPos"]!["y"]!, W: (int)p["gridPos"]!["w"]!, H: (int)p["gridPos"]!["h"]!)).ToList();

        Assert.All(boxes, b => Assert.True(b.X >= 0 && b.W > 0 && b.H > 0 && b.X + b.W <= 24, $"'{b.Title}' is outside the 24-column grid"));
        for (var i = 0; i < boxes.Count; i++)
        {
            for (var j = i + 1; j < boxes.Count; j++)
            {
                var (a, b) = (boxes[i], boxes[j]);
                var overlap = a.X < b.X + b.W && b.X < a.X + a.W && a.Y < b.Y + b.H && b.Y < a.Y + a.H;
                Assert.False(overlap, $"'{a.Title}' overlaps '{b.Title}'");
            }
        }
    }

    [Fact]
    public async Task Expressions_Every_ParsesWithPromtool()
    {
        var expressions = _dashboard.Targets.Select(t => ($"panel '{t.Panel}' {t.RefId}", t.Expr!))
            .Concat(_dashboard.VariableQueries.Select(q => ($"variable {q.Variable}", q.Expr)));

        await PromTool.AssertValidExpressionsAsync(expressions);
    }

    private JsonObject Panel(string title) => _dashboard.DataPanels.Single(p => GrafanaDashboard.Title(p) == title);

    private List<string> Exprs(string title) =>
        _dashboard.Targets.Where(t => t.Panel == title).Select(t => t.Expr ?? "").ToList();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,40}$")]
    private static partial Regex UidPattern();
}
