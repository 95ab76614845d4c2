using InferenceGrpc.Core.Batching;
using InferenceGrpc.Core.Diagnostics;
using InferenceGrpc.Core.Inference;
using Microsoft.Extensions.Logging;

namespace InferenceGrpc.Core.Ensembles;

/// <summary>
/// Serves one ensemble version: each request runs the plan's steps as a DAG, every step as soon as its inputs
/// exist (independent steps at once), each through the step model's own validation and scheduler, so the
/// pipeline is batched by its steps' batchers together with their other traffic. It has no queue or instance of
/// its own: it counts the requests in flight so a retiring version can wait for them.
/// </summary>
public sealed class EnsembleScheduler : IModelScheduler
{
    private readonly EnsemblePlan _plan;
    private readonly long _version;
    private readonly EnsembleStepInvoker _invoke;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SchedulerTelemetry _telemetry;
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? _stoppedReason;
    private int _inFlight;

    public EnsembleScheduler(EnsemblePlan plan, long version, EnsembleStepInvoker invoke, TimeProvider time, ILogger logger, SchedulerTelemetry telemetry)
    {
        _plan = plan;
        _version = version;
        _invoke = invoke;
        _time = time;
        _logger = logger;
        _telemetry = telemetry;
    }

    /// <summary>Always 0: an ensemble's requests wait in its steps' queues, which report there.</summary>
    public int QueueDepth => 0;

    public bool IsAccepting => _stoppedReason is null;

    public int InFlight => Volatile.Read(ref _inFlight);

    public ModelStatistics Statistics => _telemetry.Statistics;

    public VersionTags Tags => _telemetry.Tags;

    public Task<InferenceResult> EnqueueAsync(InferenceRequest request, int batchSize, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _inFlight);
        if (_stoppedReason is { } reason)
        {
            Finished();
            throw new InferenceException(InferenceErrorKind.Unavailable, $"model '{_plan.Name}' version {_version} is {reason}");
        }

        return RunAsync(request, batchSize, cancellationToken);
    }

    public Task StopAsync(TimeSpan drainTimeout, string reason = "unloading") => DrainAsync(drainTimeout, reason);

    /// <summary>
    /// Takes no new request and waits (up to <paramref name="drainTimeout"/>) for those running: their steps are
    /// queued at the step models, which answer them; an ensemble holds nothing else to release.
    /// </summary>
    public async Task DrainAsync(TimeSpan drainTimeout, string reason = "unloading")
    {
        _stoppedReason ??= reason;
        if (Volatile.Read(ref _inFlight) == 0)
        {
            _idle.TrySetResult();
        }

        if (drainTimeout > TimeSpan.Zero)
        {
            await Task.WhenAny(_idle.Task, Task.Delay(drainTimeout, _time)).ConfigureAwait(false);
        }
    }

    /// <summary>Refuses new requests without waiting: running ones finish at their steps.</summary>
    public void Dispose() => _ = DrainAsync(TimeSpan.Zero, "shutting down");

    private void Finished()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && _stoppedReason is not null)
        {
            _idle.TrySetResult();
        }
    }

    private async Task<InferenceResult> RunAsync(InferenceRequest request, int rows, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        using var run = new EnsembleRun(_plan, request, _invoke, cancellationToken);
        try
        {
            var (outputs, owner) = await run.ExecuteAsync().ConfigureAwait(false);
            var elapsed = _time.GetElapsedTime(started);
            var queued = run.QueueTime < elapsed ? run.QueueTime : elapsed;
            Record(rows, elapsed, queued);
            return new InferenceResult(_plan.Name, _version, outputs, owner)
            {
                Timing = new InferenceTiming(queued, elapsed - queued, rows),
            };
        }
        catch (InferenceException ex) when (run.FailedStep is { } step)
        {
            EnsembleLog.StepFailed(_logger, _plan.Name, _version, step, ex.Kind.ToString(), ex.Message);
            throw;
        }
        finally
        {
            Finished();
        }
    }

    private void Record(int rows, TimeSpan elapsed, TimeSpan queued)
    {
        // One execution per request: the ensemble's compute is its pipeline's wall time (its steps' queue waits
        // included, which Queue holds too); each step model counts its own batches.
        _telemetry.Statistics.RecordExecution(rows, 1, TimeSpan.Zero, elapsed, TimeSpan.Zero, _time.GetUtcNow());
        _telemetry.Statistics.Queue.Add(queued);
        _telemetry.Metrics?.RecordExecution(_telemetry.Tags, rows, elapsed);
        _telemetry.Metrics?.RecordQueue(_telemetry.Tags, queued);
    }
}
