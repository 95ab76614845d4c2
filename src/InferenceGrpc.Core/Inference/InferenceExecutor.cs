using InferenceGrpc.Core.Diagnostics;
using InferenceGrpc.Core.Models;

namespace InferenceGrpc.Core.Inference;

/// <summary>
/// The entry point of every inference: resolves the addressed model version, validates the request against its
/// signature, queues it on that version's scheduler, and accounts for its outcome in the metrics and the version's
/// statistics.
/// </summary>
public sealed class InferenceExecutor(ModelRegistry registry, InferenceMetrics? metrics = null, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Completes with the request's outputs, or fails with an <see cref="InferenceException"/>.</summary>
    public async Task<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        ModelVersion? version = null;
        try
        {
            version = registry.ResolveReady(request.ModelName, request.ModelVersion);
            var rows = RequestValidator.Validate(request, version.Signature!, request.ModelName);
            var result = await version.Scheduler!.EnqueueAsync(request, rows, cancellationToken).ConfigureAwait(false);
            var elapsed = _time.GetElapsedTime(started);
            version.Scheduler.Statistics.Success.Add(elapsed);
            metrics?.RecordRequest(version.Scheduler.Tags, "success", elapsed);
            return result;
        }
        catch (InferenceException ex)
        {
            var elapsed = _time.GetElapsedTime(started);
            version?.Scheduler?.Statistics.Fail.Add(elapsed);
            if (metrics is not null)
            {
                var tags = version?.Scheduler?.Tags
                    ?? (registry.TryGetModel(request.ModelName, out _) ? VersionTags.ForModel(request.ModelName) : VersionTags.Unknown);
                metrics.RecordRequest(tags, InferenceMetrics.Outcome(ex.Kind), elapsed);
            }

            throw;
        }
    }
}
