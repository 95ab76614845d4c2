using InferenceGrpc.Core.Models;

namespace InferenceGrpc.Core.Batching;

/// <summary>The effective scheduling rules of one model version: its config completed with the server defaults.</summary>
public sealed record BatchingPolicy
{
    /// <summary>The most batch rows one execution takes: max_batch_size, or 1 when the model does not batch.</summary>
    public required int MaxBatchSize { get; init; }

    /// <summary>True when several requests may share one execution.</summary>
    public required bool Batching { get; init; }

    /// <summary>Ascending, each at most <see cref="MaxBatchSize"/>.</summary>
    public IReadOnlyList<int> PreferredBatchSizes { get; init; } = [];

    public TimeSpan MaxQueueDelay { get; init; }

    public required int MaxQueueSize { get; init; }

    /// <summary>At least 1.</summary>
    public int PriorityLevels { get; init; } = 1;

    /// <summary>1..<see cref="PriorityLevels"/>.</summary>
    public int DefaultPriorityLevel { get; init; } = 1;

    /// <summary>Zero: no queue timeout unless the request sets one.</summary>
    public TimeSpan DefaultTimeout { get; init; }

    /// <summary>The size a batch should reach before the delay runs out: the largest preferred size, else the max.</summary>
    public int TargetBatchSize => PreferredBatchSizes.Count > 0 ? PreferredBatchSizes[^1] : MaxBatchSize;

    public static BatchingPolicy Create(ModelConfig config, ModelSignature signature, SchedulerOptions defaults)
    {
        var block = config.DynamicBatching;
        var batching = signature.Batches && (block is not null || defaults.DynamicBatchingByDefault);
        var maxBatch = batching ? signature.MaxBatchSize : 1;
        var levels = Math.Max(1, block?.PriorityLevels ?? 1);
        var errors = new List<string>();
        var preferred = (block?.PreferredBatchSizes ?? []).Distinct().Order().ToList();
        if (preferred.Any(p => p < 1 || p > Math.Max(1, signature.MaxBatchSize)))
        {
            errors.Add($"dynamic_batching.preferred_batch_size [{string.Join(",", preferred)}] must lie in 1..max_batch_size ({signature.MaxBatchSize})");
        }

        if (block is { DefaultPriorityLevel: var level } && (level < 0 || level > levels))
        {
            errors.Add($"dynamic_batching.default_priority_level {level} must lie in 0..priority_levels ({levels})");
        }

        if (block?.MaxQueueSize is < 0)
        {
            errors.Add($"dynamic_batching.default_queue_policy.max_queue_size must be 0 or more, got {block.MaxQueueSize}");
        }

        if (errors.Count > 0)
        {
            throw new ModelConfigException($"model '{config.Name}': " + string.Join("; ", errors));
        }

        var queueSize = block?.MaxQueueSize is > 0 ? block.MaxQueueSize.Value : defaults.DefaultMaxQueueSize;
        return new BatchingPolicy
        {
            MaxBatchSize = maxBatch,
            Batching = batching,
            PreferredBatchSizes = batching ? preferred : [],
            MaxQueueDelay = TimeSpan.FromMicroseconds(batching ? block?.MaxQueueDelayMicroseconds ?? 0 : 0),
            MaxQueueSize = queueSize,
            PriorityLevels = levels,
            DefaultPriorityLevel = block is { DefaultPriorityLevel: > 0 } b ? b.DefaultPriorityLevel : levels,
            DefaultTimeout = TimeSpan.FromMicroseconds(block?.DefaultTimeoutMicroseconds ?? 0),
        };
    }
}
