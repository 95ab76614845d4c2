namespace InferenceGrpc.Observability.Tests.Infrastructure;

/// <summary>
/// A Prometheus text exposition, read for names: each family's type from its <c># TYPE</c> line and the label names
/// its samples carry. A histogram family <c>x</c> is queried as <c>x_bucket</c>, <c>x_sum</c> and <c>x_count</c>.
/// </summary>
internal sealed class Exposition
{
    private readonly Dictionary<string, HashSet<string>> _labelsBySample = new(StringComparer.Ordinal);

    private Exposition(string text)
    {
        Text = text;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                Families[parts[2]] = parts[3];
            }
            else if (line.Length > 0 && line[0] != '#')
            {
                var (name, labels) = ParseSample(line);
                if (!_labelsBySample.TryGetValue(name, out var set))
                {
                    _labelsBySample[name] = set = new HashSet<string>(StringComparer.Ordinal);
                }

                set.UnionWith(labels);
            }
        }
    }

    public string Text { get; }

    /// <summary>Family name → type (counter, gauge, histogram, summary, untyped).</summary>
    public Dictionary<string, string> Families { get; } = new(StringComparer.Ordinal);

    /// <summary>Every name a query may select: gauges and counters as they are, histograms by their three series.</summary>
    public IReadOnlySet<string> QueryableNames =>
        Families.SelectMany(f => f.Value is "histogram" or "summary" ? Series(f.Key, f.Value) : [f.Key]).ToHashSet(StringComparer.Ordinal);

    /// <summary>Every label name on any sample.</summary>
    public IReadOnlySet<string> AllLabels => _labelsBySample.Values.SelectMany(s => s).ToHashSet(StringComparer.Ordinal);

    public static Exposition Parse(string text) => new(text);

    /// <summary>The label names of the samples named <paramref name="sample"/> (e.g. x_bucket has le, x_sum does not).</summary>
    public IReadOnlySet<string> LabelsOf(string sample) =>
        _labelsBySample.TryGetValue(sample, out var set) ? set : new HashSet<string>();

    public bool HasSample(string sample) => _labelsBySample.ContainsKey(sample);

    private static IEnumerable<string> Series(string family, string type) =>
        type == "histogram" ? [family + "_bucket", family + "_sum", family + "_count"] : [family, family + "_sum", family + "_count"];

    private static (string Name, List<string> Labels) ParseSample(string line)
    {
        var labels = new List<string>();
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' '))
        {
            i++;
        }

        var name = line[..i];
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (i < line.Length && line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                labels.Add(line[i..eq].Trim());
                i = eq + 2;   // past ="
                while (line[i] != '"')
                {
                    i += line[i] == '\\' ? 2 : 1;
                }

                i++;   // past the closing quote
                if (line[i] == ',')
                {
                    i++;
                }
            }
        }

        return (name, labels);
    }
}
