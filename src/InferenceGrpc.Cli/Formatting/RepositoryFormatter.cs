using System.Buffers;
using System.Text;
using System.Text.Json;
using ModelIndex = Inference.RepositoryIndexResponse.Types.ModelIndex;

namespace InferenceGrpc.Cli.Formatting;

/// <summary>Prints a repository index as an aligned table or as JSON.</summary>
internal static class RepositoryFormatter
{
    private static readonly string[] Headers = ["NAME", "VERSION", "STATE", "REASON"];

    /// <summary>Columns padded to their widest cell and two spaces apart; the last column is not padded.</summary>
    public static string FormatTable(IReadOnlyList<ModelIndex> models)
    {
        var rows = new List<string[]> { Headers };
        rows.AddRange(models.Select(m => new[] { m.Name, m.Version, m.State, m.Reason }));
        var widths = Enumerable.Range(0, Headers.Length).Select(c => rows.Max(r => r[c].Length)).ToArray();

        var text = new StringBuilder();
        foreach (var row in rows)
        {
            var line = new StringBuilder();
            for (var c = 0; c < row.Length; c++)
            {
                line.Append(c < row.Length - 1 ? row[c].PadRight(widths[c] + 2) : row[c]);
            }

            text.Append(line.ToString().TrimEnd()).Append('\n');
        }

        return text.ToString();
    }

    /// <summary><c>{"models": [{"name", "version", "state", "reason"}]}</c>, one line.</summary>
    public static string FormatJson(IReadOnlyList<ModelIndex> models)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, OutputFormatter.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartArray("models");
            foreach (var model in models)
            {
                json.WriteStartObject();
                json.WriteString("name", model.Name);
                json.WriteString("version", model.Version);
                json.WriteString("state", model.State);
                json.WriteString("reason", model.Reason);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
