namespace InferenceGrpc.Core.Models;

/// <summary>How models are loaded, for every model of the repository.</summary>
public sealed class ModelLoaderOptions
{
    /// <summary>
    /// The max_batch_size given to a model whose config does not set one and whose graph can batch (every input
    /// and output has a dynamic first dimension). Triton's default-max-batch-size is 4.
    /// </summary>
    public int DefaultMaxBatchSize { get; set; } = 4;

    /// <summary>Run each version once on generated inputs before it reports ready.</summary>
    public bool WarmUp { get; set; } = true;
}
