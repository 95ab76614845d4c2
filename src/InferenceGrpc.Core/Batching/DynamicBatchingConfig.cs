namespace InferenceGrpc.Core.Batching;

/// <summary>
/// A model's <c>dynamic_batching</c> block, with Triton's meaning. Absent fields take the server's defaults
/// (<see cref="SchedulerOptions"/>).
/// </summary>
public sealed record DynamicBatchingConfig
{
    /// <summary>Batch sizes worth waiting for (within <see cref="MaxQueueDelayMicroseconds"/>).</summary>
    public IReadOnlyList<int> PreferredBatchSizes { get; init; } = [];

    /// <summary>How long the oldest queued request may wait for a fuller batch. 0: dispatch at once (work-conserving).</summary>
    public long MaxQueueDelayMicroseconds { get; init; }

    /// <summary>Priority levels; 0 means one level. Level 1 is served first.</summary>
    public int PriorityLevels { get; init; }

    /// <summary>The level of requests that name none; 0 means the lowest level.</summary>
    public int DefaultPriorityLevel { get; init; }

    /// <summary>Queued requests beyond this are rejected at once. Null: the server's default.</summary>
    public int? MaxQueueSize { get; init; }

    /// <summary>Queue timeout for requests that set none; 0: none.</summary>
    public long DefaultTimeoutMicroseconds { get; init; }
}
