using System.Text.RegularExpressions;

namespace InferenceGrpc.Observability.Tests.Docs;

/// <summary>The PromQL of docs/OBSERVABILITY.md: its ```promql blocks and the expr of its alert rules.</summary>
internal static partial class DocBlocks
{
    /// <summary>Each ```promql block, one expression each.</summary>
    public static List<string> PromQl(string markdown) =>
        Fence().Matches(markdown).Where(m => m.Groups["lang"].Value == "promql").Select(m => m.Groups["body"].Value.Trim()).ToList();

    /// <summary>The ```yaml block that is a Prometheus rule file (starts with "groups:").</summary>
    public static string AlertRules(string markdown)
    {
        var block = Fence().Matches(markdown)
            .Where(m => m.Groups["lang"].Value == "yaml")
            .Select(m => m.Groups["body"].Value)
            .SingleOrDefault(b => b.StartsWith("groups:", StringComparison.Ordinal));
        Assert.True(block is not null, "docs/OBSERVABILITY.md has no ```yaml block starting with 'groups:' (the alert rules)");
        return block;
    }

    /// <summary>The expr of every rule: "expr: ..." on one line, or "expr: |" and the lines indented below it.</summary>
    public static List<string> RuleExpressions(string rules)
    {
        var lines = rules.Split('\n');
        var exprs = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var match = ExprLine().Match(lines[i]);
            if (!match.Success)
            {
                continue;
            }

            var value = match.Groups["value"].Value.Trim();
            if (value is "|" or ">" or "|-" or ">-")
            {
                var indent = match.Groups["indent"].Value.Length;
                var body = new List<string>();
                while (i + 1 < lines.Length && (lines[i + 1].Trim().Length == 0 || lines[i + 1].Length - lines[i + 1].TrimStart().Length > indent))
                {
                    body.Add(lines[++i].Trim());
                }

                value = string.Join(' ', body);
            }

            exprs.Add(value);
        }

        return exprs;
    }

    [GeneratedRegex(@"^```(?<lang>\w+)\n(?<body>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Fence();

    [GeneratedRegex(@"^(?<indent> *)expr: (?<value>.*)$")]
    private static partial Regex ExprLine();
}
