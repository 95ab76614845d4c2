using InferenceGrpc.Core.Diagnostics;
using InferenceGrpc.Core.Inference;

namespace InferenceGrpc.Core.Batching;

/// <summary>
/// What serves one ready model version: the dynamic batcher of a model (<see cref="ModelScheduler"/>) or the step
/// runner of an ensemble (<c>Ensembles.EnsembleScheduler</c>). The executor, the loader's retire and drain, the
/// gauges and the statistics RPC see only this surface (Triton's scheduler: enqueue, in-flight count, stop).
/// </summary>
public interface IModelScheduler : IDisposable
{
    /// <summary>Requests waiting for an instance (the autoscaling signal); 0 for a scheduler without a queue.</summary>
    int QueueDepth { get; }

    /// <summary>False once the version is stopping or retiring: it takes no new request.</summary>
    bool IsAccepting { get; }

    /// <summary>Requests queued or running.</summary>
    int InFlight { get; }

    /// <summary>This version's cumulative statistics (Triton's ModelStatistics).</summary>
    ModelStatistics Statistics { get; }

    /// <summary>This version's metric labels, built once.</summary>
    VersionTags Tags { get; }

    /// <summary>
    /// Runs a request already validated against the version's signature (<paramref name="batchSize"/> rows).
    /// Completes with its outputs (the caller disposes them) or fails with an <see cref="InferenceException"/>;
    /// may also throw at once (queue full, not accepting).
    /// </summary>
    Task<InferenceResult> EnqueueAsync(InferenceRequest request, int batchSize, CancellationToken cancellationToken);

    /// <summary>Stops taking requests, answers queued ones UNAVAILABLE, lets running ones finish, then frees resources.</summary>
    Task StopAsync(TimeSpan drainTimeout, string reason = "unloading");

    /// <summary>Stops taking requests but finishes every accepted one first (how a swapped-out version retires).</summary>
    Task DrainAsync(TimeSpan drainTimeout, string reason = "unloading");
}
