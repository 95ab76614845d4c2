using InferenceGrpc.Core.Diagnostics;
using InferenceGrpc.Core.Models;

namespace InferenceGrpc.Core.Inference;

/// <summary>
/// The entry point of every inference: resolves the addressed model version, validates the request against its
/// signature, queues it on that version's scheduler, and accounts for its outcome in the metrics and the version's
/// statistics.
/// </summary>
public sealed class InferenceExecutor(
    ModelRegistry registry,
    InferenceMetrics? metrics = null,
    TimeProvider? time = null,
    IEnumerable<IInferenceObserver>? observers = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly IInferenceObserver[] _observers = observers?.ToArray() ?? [];

    /// <summary>Completes with the request's outputs, or fails with an <see cref="InferenceException"/>.</summary>
    public async Task<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        ModelVersion? version = null;
        try
        {
            version = registry.ResolveReady(request.ModelName, request.ModelVersion);
            var rows = RequestValidator.Validate(request, version.Signature!, request.ModelName);
            Classification.Classifier.Validate(request, version.Signature!, request.ModelName);
            Task<InferenceResult> queued;
            try
            {
                queued = version.Scheduler!.EnqueueAsync(request, rows, cancellationToken);
            }
            catch (InferenceException ex) when (ex.Kind == InferenceErrorKind.Unavailable && !version.Scheduler!.IsAccepting &&
                                                string.IsNullOrEmpty(request.ModelVersion))
            {
                // The default version was swapped out between resolving and queueing: the registry already
                // names its successor, so a request that asked for "the model" goes there instead of failing.
                version = registry.ResolveReady(request.ModelName, request.ModelVersion);
                rows = RequestValidator.Validate(request, version.Signature!, request.ModelName);
                queued = version.Scheduler!.EnqueueAsync(request, rows, cancellationToken);
            }

            var result = await queued.ConfigureAwait(false);
            var elapsed = _time.GetElapsedTime(started);
            version.Scheduler.Statistics.Success.Add(elapsed);
            metrics?.RecordRequest(version.Scheduler.Tags, "success", elapsed);
            Observe(version, request, result, elapsed);
            return Classify(version, request, result);
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

    /// <summary>The classification extension, after the observers saw the model's own outputs.</summary>
    private static InferenceResult Classify(ModelVersion version, InferenceRequest request, InferenceResult result)
    {
        try
        {
            return Classification.Classifier.Apply(result, request, version.Signature!, version.Labels);
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    private void Observe(ModelVersion version, InferenceRequest request, InferenceResult result, TimeSpan elapsed)
    {
        if (_observers.Length == 0)
        {
            return;
        }

        var observation = new InferenceObservation(version, request, result, elapsed);
        foreach (var observer in _observers)
        {
            try
            {
                observer.OnCompleted(observation);
            }
#pragma warning disable CA1031 // an observer's bug must never fail the caller's request, which already succeeded
            catch (Exception)
#pragma warning restore CA1031
            {
                metrics?.RecordObserverFailure(observer.GetType().Name);
            }
        }
    }
}
