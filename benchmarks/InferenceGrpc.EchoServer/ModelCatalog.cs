using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Inference;

namespace InferenceGrpc.EchoServer;

/// <summary>
/// The models the echo server describes in ModelMetadata: read from a Triton repository's <c>&lt;model&gt;/config.json</c>
/// (inputs with the batch dimension as -1 when max_batch_size &gt; 0, as the real server reports them), or given on
/// the command line. Outputs mirror the inputs, since that is what comes back.
/// </summary>
internal sealed class ModelCatalog
{
    private readonly Dictionary<string, ModelMetadataResponse> _models = new(StringComparer.Ordinal);

    public IEnumerable<string> Names => _models.Keys.Order(StringComparer.Ordinal);

    public bool TryGet(string name, [NotNullWhen(true)] out ModelMetadataResponse? metadata) => _models.TryGetValue(name, out metadata);

    public void Add(string name, IReadOnlyList<(string Name, string Datatype, long[] Shape)> inputs)
    {
        var metadata = new ModelMetadataResponse { Name = name, Platform = "echo" };
        metadata.Versions.Add("1");
        foreach (var (input, datatype, shape) in inputs)
        {
            var tensor = new ModelMetadataResponse.Types.TensorMetadata { Name = input, Datatype = datatype };
            tensor.Shape.Add(shape);
            metadata.Inputs.Add(tensor);
            metadata.Outputs.Add(tensor.Clone());
        }

        _models[name] = metadata;
    }

    /// <summary>Adds every <c>&lt;repository&gt;/&lt;model&gt;/config.json</c> that declares inputs.</summary>
    /// <exception cref="InvalidDataException">A config that cannot be read.</exception>
    public void AddRepository(string repository)
    {
        foreach (var directory in Directory.EnumerateDirectories(repository).Order(StringComparer.Ordinal))
        {
            var config = Path.Combine(directory, "config.json");
            if (File.Exists(config))
            {
                var inputs = ReadConfig(config);
                if (inputs.Count > 0)
                {
                    Add(Path.GetFileName(directory), inputs);
                }
            }
        }
    }

    internal static IReadOnlyList<(string Name, string Datatype, long[] Shape)> ReadConfig(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            var batches = root.TryGetProperty("max_batch_size", out var max) && max.GetInt32() > 0;
            var inputs = new List<(string, string, long[])>();
            if (root.TryGetProperty("input", out var list))
            {
                foreach (var input in list.EnumerateArray())
                {
                    var dims = input.GetProperty("dims").EnumerateArray().Select(d => d.GetInt64());
                    inputs.Add((
                        input.GetProperty("name").GetString()!,
                        WireDatatype(input.GetProperty("data_type").GetString()!),
                        batches ? [-1, .. dims] : [.. dims]));
                }
            }

            return inputs;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }

    /// <summary>Triton's config names (TYPE_FP32, TYPE_STRING) to the protocol's (FP32, BYTES).</summary>
    internal static string WireDatatype(string configType) => configType switch
    {
        "TYPE_STRING" => "BYTES",
        _ when configType.StartsWith("TYPE_", StringComparison.Ordinal) => configType["TYPE_".Length..],
        _ => configType,
    };
}
