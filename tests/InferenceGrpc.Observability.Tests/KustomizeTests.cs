using System.Text;
using System.Text.Json.Nodes;
using InferenceGrpc.Observability.Tests.Infrastructure;

namespace InferenceGrpc.Observability.Tests;

/// <summary>k8s/monitoring renders the dashboard as a ConfigMap the Grafana sidecar provisions.</summary>
public sealed class KustomizeTests
{
    private const string ConfigMapName = "inferencegrpc-dashboard";
    private const string DataKey = "inferencegrpc-dashboard.json";

    [Fact]
    public async Task Kustomize_Monitoring_RendersTheDashboardConfigMapForTheGrafanaSidecar()
    {
        var kubectl = ExternalTool.Require("kubectl", "install kubectl (https://kubernetes.io/docs/tasks/tools/) to render k8s/monitoring — CI has it");

        var result = await ExternalTool.RunAsync(kubectl, "kustomize", SourceTree.MonitoringFolder);

        Assert.True(result.ExitCode == 0, "kubectl kustomize k8s/monitoring failed:\n" + result);
        var yaml = result.StdOut.ReplaceLineEndings("\n");
        Assert.Contains("kind: ConfigMap\n", yaml, StringComparison.Ordinal);
        Assert.Contains($"\n  name: {ConfigMapName}\n", yaml + "\n", StringComparison.Ordinal);   // no hash suffix
        Assert.Contains("\n    grafana_dashboard: \"1\"\n", yaml, StringComparison.Ordinal);
        Assert.Equal(1, CountOf(yaml, "\nkind: ") + (yaml.StartsWith("kind: ", StringComparison.Ordinal) ? 1 : 0));

        var rendered = JsonNode.Parse(BlockScalar(yaml, DataKey));
        var file = JsonNode.Parse(await File.ReadAllTextAsync(SourceTree.DashboardPath));
        Assert.True(JsonNode.DeepEquals(file, rendered), "the ConfigMap's dashboard differs from inferencegrpc-dashboard.json");
    }

    /// <summary>The text of "  key: |" under data, its 4-space indentation removed.</summary>
    private static string BlockScalar(string yaml, string key)
    {
        var lines = yaml.Split('\n');
        var start = Array.FindIndex(lines, l => l.StartsWith($"  {key}: |", StringComparison.Ordinal));
        Assert.True(start >= 0,
            $"no block scalar '{key}: |' in the rendered ConfigMap: trailing spaces or tabs in the JSON make kustomize quote it instead:\n{yaml[..Math.Min(yaml.Length, 2000)]}");
        var text = new StringBuilder();
        for (var i = start + 1; i < lines.Length && (lines[i].Length == 0 || lines[i].StartsWith("    ", StringComparison.Ordinal)); i++)
        {
            text.Append(lines[i].Length == 0 ? "" : lines[i][4..]).Append('\n');
        }

        return text.ToString();
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
