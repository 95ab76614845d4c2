using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Processors.Diagnostics;
using InferenceGrpc.Processors.Execution;
using Microsoft.Extensions.Logging;

namespace InferenceGrpc.Processors.Embeddings;

/// <summary><c>backend: "embedding_pool"</c>: token embeddings → one sentence embedding per row; needs no files.</summary>
public sealed class EmbeddingPoolBackend(ILogger<EmbeddingPoolBackend> logger) : ProcessorBackend(Name)
{
    public const string Name = "embedding_pool";

    private protected override IModelRunner Create(ModelVersionSource source, ModelConfig config)
    {
        var settings = PoolSettings.Read(config);
        ProcessorLog.PoolingLoaded(logger, config.Name, source.Version, settings.HiddenName, settings.MaskName, settings.OutputName, settings.Normalize);
        return new EmbeddingPoolRunner(settings);
    }
}
