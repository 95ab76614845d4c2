using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace InferenceGrpc.Observability.Tests.Infrastructure;

/// <summary>Prometheus's own checker: PromQL syntax (as recording rules) and rule files.</summary>
internal static partial class PromTool
{
    private const string InstallHint =
        "install promtool (Debian/Ubuntu: the prometheus package; .ci/run unpacks it into artifacts/tools) — CI has it";

    /// <summary>Fails unless promtool parses every expression; Grafana's $__ variables become a duration first.</summary>
    public static async Task AssertValidExpressionsAsync(IEnumerable<(string Where, string Expr)> expressions)
    {
        var list = expressions.ToList();
        var rules = new StringBuilder("groups:\n  - name: syntax\n    rules:\n");
        for (var i = 0; i < list.Count; i++)
        {
            // JSON strings are YAML flow scalars: no escaping rules of our own.
            rules.Append("      - record: check_").Append(i).Append('\n')
                 .Append("        expr: ").Append(JsonSerializer.Serialize(GrafanaInterval().Replace(list[i].Expr, "5m"))).Append('\n');
        }

        var result = await CheckRulesAsync(rules.ToString());
        Assert.True(result.ExitCode == 0,
            "promtool rejected a PromQL expression:\n" + result + "\nexpressions:\n" +
            string.Join('\n', list.Select((e, i) => $"check_{i} ({e.Where}): {e.Expr}")));
    }

    /// <summary>promtool check rules on <paramref name="yaml"/>.</summary>
    public static async Task<ExternalTool.Result> CheckRulesAsync(string yaml)
    {
        var promtool = ExternalTool.Require("promtool", InstallHint);
        var file = Path.Combine(Path.GetTempPath(), "igrpc-rules-" + Guid.NewGuid().ToString("N") + ".yaml");
        await File.WriteAllTextAsync(file, yaml);
        try
        {
            return await ExternalTool.RunAsync(promtool, "check", "rules", file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [GeneratedRegex(@"\$__\w+|\$\{__\w+\}")]
    private static partial Regex GrafanaInterval();
}
