using InferenceGrpc.Core.Diagnostics;

namespace InferenceGrpc.Core.Batching;

/// <summary>Where a scheduler reports: the shared metrics (optional) and this version's statistics.</summary>
public sealed class SchedulerTelemetry(InferenceMetrics? metrics, VersionTags tags, ModelStatistics statistics)
{
    public InferenceMetrics? Metrics { get; } = metrics;

    public VersionTags Tags { get; } = tags;

    public ModelStatistics Statistics { get; } = statistics;
}
