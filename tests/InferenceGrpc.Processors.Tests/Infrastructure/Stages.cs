using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.Processors.Embeddings;
using InferenceGrpc.Processors.Imaging;
using InferenceGrpc.Processors.Text;
using Microsoft.Extensions.Logging.Abstractions;

namespace InferenceGrpc.Processors.Tests.Infrastructure;

/// <summary>Loads processors the way the repository loader does: a model folder's config, then the backend.</summary>
internal static class Stages
{
    public static IModelBackend Tokenizer { get; } = new TextTokenizerBackend(NullLogger<TextTokenizerBackend>.Instance);

    public static IModelBackend Pool { get; } = new EmbeddingPoolBackend(NullLogger<EmbeddingPoolBackend>.Instance);

    public static IModelBackend Image { get; } = new ImagePreprocessBackend(NullLogger<ImagePreprocessBackend>.Instance);

    /// <summary>Loads version 1 of a model folder, with its config.json and <paramref name="parameters"/> on top.</summary>
    public static IModelRunner LoadFolder(IModelBackend backend, string folder, params (string Key, string Value)[] parameters)
    {
        var source = ModelRepositoryScanner.ScanModel(folder);
        Assert.Null(source.ConfigError);
        var config = source.Config;
        if (parameters.Length > 0)
        {
            var merged = new Dictionary<string, string>(config.Parameters, StringComparer.Ordinal);
            foreach (var (key, value) in parameters)
            {
                merged[key] = value;
            }

            config = config with { Parameters = merged };
        }

        return backend.Load(source.Versions.Single(), config);
    }

    /// <summary>Loads a processor configured by parameters only, from an empty version folder.</summary>
    public static IModelRunner Load(IModelBackend backend, string name, params (string Key, string Value)[] parameters) =>
        backend.Load(new ModelVersionSource(1, Path.Combine(Path.GetTempPath(), "no-such-folder", "1", ModelConfig.DefaultModelFileName)), Config(name, parameters));

    public static ModelConfig Config(string name, params (string Key, string Value)[] parameters) => new()
    {
        Name = name,
        MaxBatchSize = 8,
        // Later pairs win, so a test can override a helper's defaults.
        Parameters = parameters.GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal),
    };

    /// <summary>A BYTES [rows, 1] input of the given elements.</summary>
    public static InputTensor Bytes(string name, params byte[][] rows) =>
        new(name, DataType.Bytes, [rows.Length, 1], BytesTensor.Encode(rows));

    public static InputTensor Text(string name, params string[] rows) =>
        Bytes(name, rows.Select(System.Text.Encoding.UTF8.GetBytes).ToArray());
}
