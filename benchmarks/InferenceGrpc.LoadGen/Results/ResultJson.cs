using System.Text.Json;
using System.Text.Json.Serialization;

namespace InferenceGrpc.LoadGen.Results;

/// <summary>Reads and writes result files: snake_case JSON, indented, nulls left out.</summary>
internal static class ResultJson
{
    public static string Serialize(BenchmarkRun run) => JsonSerializer.Serialize(run, ResultJsonContext.Default.BenchmarkRun);

    public static BenchmarkRun Deserialize(string json) =>
        JsonSerializer.Deserialize(json, ResultJsonContext.Default.BenchmarkRun)
        ?? throw new JsonException("the file holds null, not a loadgen result");

    public static void Write(string path, BenchmarkRun run)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, Serialize(run) + "\n");
    }

    /// <exception cref="InvalidDataException">The file is not a loadgen result this version can read.</exception>
    public static BenchmarkRun Read(string path)
    {
        BenchmarkRun run;
        try
        {
            run = Deserialize(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: not a loadgen result file ({ex.Message})", ex);
        }

        if (run.Tool != "loadgen" || run.SchemaVersion != BenchmarkRun.CurrentSchemaVersion)
        {
            throw new InvalidDataException(
                $"{path}: tool '{run.Tool}' schema {run.SchemaVersion}; expected loadgen schema {BenchmarkRun.CurrentSchemaVersion}");
        }

        return run;
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(BenchmarkRun))]
internal sealed partial class ResultJsonContext : JsonSerializerContext;
