namespace InferenceGrpc.Core.Batching;

/// <summary>Server-wide scheduling defaults (configuration section "Scheduler").</summary>
public sealed class SchedulerOptions
{
    /// <summary>
    /// Batch concurrent requests of models that batch (max_batch_size &gt; 0) even when their config has no
    /// dynamic_batching block. Default true: with no queue delay this costs a lone request nothing.
    /// </summary>
    public bool DynamicBatchingByDefault { get; set; } = true;

    /// <summary>
    /// The queue bound of models whose config sets none (Triton's 0 means unbounded; here every queue is
    /// bounded so memory stays bounded under any load). Default 1024.
    /// </summary>
    public int DefaultMaxQueueSize { get; set; } = 1024;
}
