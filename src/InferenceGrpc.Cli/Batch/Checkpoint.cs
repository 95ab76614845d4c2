using System.Text.Json;

namespace InferenceGrpc.Cli.Batch;

/// <summary>
/// The sidecar <c>&lt;output&gt;.progress</c>: how far the output is complete. Rows are written in order, so
/// "done" is a prefix: the next row to write, and the lengths the output and errors files had then. A resumed run
/// cuts both files back to those lengths and reads on from <see cref="NextRow"/>. <see cref="Job"/> names what was
/// run (input, model, outputs), so a checkpoint is never applied to another job.
/// </summary>
internal sealed record Checkpoint(string Job, long NextRow, long OutputBytes, long ErrorsBytes, long RowsOk, long RowsFailed)
{
    public static string PathFor(string output) => output + ".progress";

    /// <exception cref="InvalidDataException">The file is not a checkpoint.</exception>
    public static Checkpoint? Load(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            return new Checkpoint(
                root.GetProperty("job").GetString() ?? "",
                root.GetProperty("next_row").GetInt64(),
                root.GetProperty("output_bytes").GetInt64(),
                root.GetProperty("errors_bytes").GetInt64(),
                root.GetProperty("rows_ok").GetInt64(),
                root.GetProperty("rows_failed").GetInt64());
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path} is not a batch checkpoint: {ex.Message}");
        }
    }

    /// <summary>Writes to a temporary file and renames it over the old one, so a crash leaves one or the other whole.</summary>
    public void Save(string path)
    {
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("job", Job);
            json.WriteNumber("next_row", NextRow);
            json.WriteNumber("output_bytes", OutputBytes);
            json.WriteNumber("errors_bytes", ErrorsBytes);
            json.WriteNumber("rows_ok", RowsOk);
            json.WriteNumber("rows_failed", RowsFailed);
            json.WriteEndObject();
        }

        File.Move(temporary, path, overwrite: true);
    }
}
