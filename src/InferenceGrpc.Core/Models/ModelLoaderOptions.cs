namespace InferenceGrpc.Core.Models;

/// <summary>How models are loaded, for every model of the repository.</summary>
public sealed class ModelLoaderOptions
{
    /// <summary>
    /// The max_batch_size given to a model whose config does not set one and whose graph can batch (every input
    /// and output has a dynamic first dimension). Triton's default-max-batch-size is 4.
    /// </summary>
    public int DefaultMaxBatchSize { get; set; } = 4;

    /// <summary>
    /// How long a version that was swapped out or unloaded may take to run what it had queued before its
    /// instances are released anyway. Default 30 s.
    /// </summary>
    public TimeSpan RetireTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Instances (sessions) of a model whose config has no instance_group, on the kind the execution provider
    /// resolves to. Default 2: measured on 2 cores, two single-threaded instances beat one two-threaded
    /// instance both at concurrency 1 and under load (docs/PERFORMANCE.md), since they never wait for each
    /// other's threads between operators.
    /// </summary>
    public int DefaultInstanceCount { get; set; } = 2;

    /// <summary>Run each version once on generated inputs before it reports ready.</summary>
    public bool WarmUp { get; set; } = true;
}
