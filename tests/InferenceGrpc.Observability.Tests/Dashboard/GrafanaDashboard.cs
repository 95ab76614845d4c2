using System.Text.Json;
using System.Text.Json.Nodes;
using InferenceGrpc.Observability.Tests.Infrastructure;

namespace InferenceGrpc.Observability.Tests.Dashboard;

/// <summary>One query of a panel.</summary>
public sealed record PanelTarget(string Panel, string? RefId, string? Expr);

/// <summary>The dashboard JSON of k8s/monitoring, read with System.Text.Json.</summary>
public sealed class GrafanaDashboard
{
    private GrafanaDashboard(JsonObject root) => Root = root;

    public JsonObject Root { get; }

    /// <summary>Every panel, rows included, and the panels inside collapsed rows.</summary>
    public IEnumerable<JsonObject> Panels => Flatten(Root["panels"]?.AsArray() ?? []);

    /// <summary>The panels that show data (not rows).</summary>
    public IEnumerable<JsonObject> DataPanels => Panels.Where(p => Type(p) != "row");

    public IEnumerable<PanelTarget> Targets =>
        from panel in DataPanels
        from target in (panel["targets"]?.AsArray() ?? []).OfType<JsonObject>()
        select new PanelTarget(Title(panel), (string?)target["refId"], (string?)target["expr"]);

    public IEnumerable<JsonObject> Variables => (Root["templating"]?["list"]?.AsArray() ?? []).OfType<JsonObject>();

    /// <summary>
    /// The PromQL of each query variable, and the label it lists: label_values(selector, label) gives the selector;
    /// query_result(expr) its expression.
    /// </summary>
    public IEnumerable<(string Variable, string Expr, string? Label)> VariableQueries
    {
        get
        {
            foreach (var variable in Variables.Where(v => (string?)v["type"] == "query"))
            {
                var name = (string)variable["name"]!;
                var query = variable["query"] switch
                {
                    JsonObject o => (string?)o["query"],
                    JsonValue v => (string?)v,
                    _ => null,
                } ?? "";
                yield return Parse(name, query.Trim());
            }
        }
    }

    public static GrafanaDashboard Load() => Parse(File.ReadAllText(SourceTree.DashboardPath));

    public static GrafanaDashboard Parse(string json) =>
        new(JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Disallow })!.AsObject());

    public static string Title(JsonObject panel) => (string?)panel["title"] ?? "";

    public static string Type(JsonObject panel) => (string?)panel["type"] ?? "";

    private static (string, string, string?) Parse(string variable, string query)
    {
        foreach (var function in new[] { "label_values", "query_result" })
        {
            if (query.StartsWith(function + "(", StringComparison.Ordinal) && query.EndsWith(')'))
            {
                var inner = query[(function.Length + 1)..^1];
                var comma = function == "label_values" ? TopLevelComma(inner) : -1;
                return comma < 0 ? (variable, inner, null) : (variable, inner[..comma], inner[(comma + 1)..].Trim());
            }
        }

        return (variable, query, null);
    }

    /// <summary>The last comma outside braces, brackets, parentheses and strings.</summary>
    private static int TopLevelComma(string text)
    {
        var depth = 0;
        var last = -1;
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is { } q)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == q)
                {
                    quote = null;
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c is '{' or '(' or '[')
            {
                depth++;
            }
            else if (c is '}' or ')' or ']')
            {
                depth--;
            }
            else if (c == ',' && depth == 0)
            {
                last = i;
            }
        }

        return last;
    }

    private static IEnumerable<JsonObject> Flatten(JsonArray panels)
    {
        foreach (var panel in panels.OfType<JsonObject>())
        {
            yield return panel;
            foreach (var inner in Flatten(panel["panels"]?.AsArray() ?? []))
            {
                yield return inner;
            }
        }
    }
}
