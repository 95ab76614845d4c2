using System.Buffers;
using System.Diagnostics;
using InferenceGrpc.Core.Diagnostics;
using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;

namespace InferenceGrpc.Core.Batching;

/// <summary>
/// The dynamic batcher of one model version: a bounded priority queue, one batcher loop (the queue's single
/// reader) and a pool of instances. The loop first waits for a free instance, then takes what is queued, so
/// batches grow by themselves while every instance is busy; with no queue delay it is work-conserving.
/// </summary>
public sealed class ModelScheduler : IModelScheduler
{
    private static readonly ObjectPool<List<PendingInference>> BatchLists =
        new DefaultObjectPool<List<PendingInference>>(new ListPolicy(), 64);

    private readonly string _model;
    private readonly long _version;
    private readonly ModelSignature _signature;
    private readonly BatchingPolicy _policy;
    private readonly InstancePool _instances;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RequestQueue _queue;
    private readonly AsyncSignal _arrivals = new();
    private readonly AsyncSignal _emptied = new();   // set by the loop each time it finds the queue empty
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private readonly Lock _stopLock = new();
    private Task? _stopped;
    private long _sequence;
    private volatile string? _stoppedReason;

    private readonly SchedulerTelemetry _telemetry;
    private int _running;

    public ModelScheduler(
        string model, long version, ModelSignature signature, BatchingPolicy policy,
        IReadOnlyList<IModelRunner> instances, TimeProvider time, ILogger logger, SchedulerTelemetry? telemetry = null)
    {
        _telemetry = telemetry ?? new SchedulerTelemetry(null, VersionTags.For(model, version), new ModelStatistics(signature.MaxBatchSize));
        _model = model;
        _version = version;
        _signature = signature;
        _policy = policy;
        _instances = new InstancePool(instances);
        _time = time;
        _logger = logger;
        _queue = new RequestQueue(policy.PriorityLevels, policy.MaxQueueSize);
        _loop = Task.Run(RunLoopAsync);
    }

    public BatchingPolicy Policy => _policy;

    /// <summary>Requests waiting for an instance (the autoscaling signal).</summary>
    public int QueueDepth => _queue.Count;

    /// <summary>Instances running a batch now.</summary>
    public int BusyInstances => _instances.Busy;

    /// <summary>False once the version is stopping or retiring: it takes no new request.</summary>
    public bool IsAccepting => _stoppedReason is null;

    /// <summary>Requests queued or running.</summary>
    public int InFlight => _queue.Count + Volatile.Read(ref _running);

    /// <summary>This version's cumulative statistics (Triton's ModelStatistics).</summary>
    public ModelStatistics Statistics => _telemetry.Statistics;

    /// <summary>This version's metric labels, built once.</summary>
    public VersionTags Tags => _telemetry.Tags;

    /// <summary>
    /// Queues a validated request. Rejects at once when the queue is full (UNAVAILABLE) or the priority is out of
    /// range (INVALID_ARGUMENT); otherwise completes when its batch has run, or with DEADLINE_EXCEEDED or
    /// CANCELLED if it stops being wanted first (it is then never run).
    /// </summary>
    public Task<InferenceResult> EnqueueAsync(InferenceRequest request, int batchSize, CancellationToken cancellationToken)
    {
        if (_stoppedReason is { } reason)
        {
            throw new InferenceException(InferenceErrorKind.Unavailable, $"model '{_model}' version {_version} is {reason}");
        }

        var level = request.Priority == 0 ? _policy.DefaultPriorityLevel : request.Priority <= (ulong)_policy.PriorityLevels ? (int)request.Priority : -1;
        if (level < 0)
        {
            InferenceException.ThrowInvalid(
                $"model '{_model}': priority {request.Priority} is outside 1..{_policy.PriorityLevels} (the model's priority_levels; 0 means the default level)");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            throw new InferenceException(InferenceErrorKind.Cancelled, "the call was cancelled before it was queued");
        }

        var now = _time.GetUtcNow();
        var deadline = request.Deadline ?? DateTimeOffset.MaxValue;
        var timeout = request.QueueTimeout ?? _policy.DefaultTimeout;
        if (timeout > TimeSpan.Zero && now + timeout < deadline)
        {
            deadline = now + timeout;
        }

        var pending = new PendingInference(request, batchSize, level, _time.GetTimestamp(), deadline,
            Interlocked.Increment(ref _sequence), _time);
        // Watch the caller before queueing: a registration made after the batch completed it could never be undone.
        pending.RegisterCancellation(cancellationToken);
        if (InferenceTracing.Source.HasListeners())
        {
            // A child of the call's span, but not the caller's current activity: the caller's code goes on
            // under its own span while the request waits.
            var current = Activity.Current;
            pending.QueueActivity = InferenceTracing.Source.StartActivity("inference.queue");
            pending.QueueActivity?.SetTag("inference.model", _model);
            pending.QueueActivity?.SetTag("inference.version", _version);
            Activity.Current = current;
        }
        if (!_queue.TryEnqueue(pending, now))
        {
            pending.DisposeRegistration();
            pending.QueueActivity?.SetStatus(ActivityStatusCode.Error, "queue full");
            pending.QueueActivity?.Stop();
            throw new InferenceException(InferenceErrorKind.QueueFull,
                $"model '{_model}' version {_version}: request exceeds maximum queue size ({_policy.MaxQueueSize})");
        }

        _arrivals.Set();
        if (_stoppedReason is { } late)
        {
            // Raced with a stop, whose final sweep may have run before this request was queued. Refuse it the
            // same way as a request that came a moment later (synchronously, so a caller can go elsewhere),
            // unless the batcher already took it.
            var refused = new InferenceException(InferenceErrorKind.Unavailable, $"model '{_model}' version {_version} is {late}");
            if (pending.TryFail(refused))
            {
                throw refused;
            }
        }

        return pending.Task;
    }

    /// <summary>
    /// Stops taking requests: queued ones are answered UNAVAILABLE, running batches finish (up to
    /// <paramref name="drainTimeout"/>), then the instances are disposed.
    /// </summary>
    public Task StopAsync(TimeSpan drainTimeout, string reason = "unloading") => StopAsync(drainTimeout, reason, finishQueued: false);

    /// <summary>
    /// Stops taking requests but runs every request already queued (within <paramref name="drainTimeout"/>), then
    /// stops as <see cref="StopAsync(TimeSpan, string)"/> does: how a version that was swapped out retires without
    /// failing the requests it had accepted.
    /// </summary>
    public Task DrainAsync(TimeSpan drainTimeout, string reason = "unloading") => StopAsync(drainTimeout, reason, finishQueued: true);

    private Task StopAsync(TimeSpan drainTimeout, string reason, bool finishQueued)
    {
        // Once only: a second call (or Dispose after StopAsync) waits for the first instead of disposing twice.
        lock (_stopLock)
        {
            return _stopped ??= StopOnceAsync(drainTimeout, reason, finishQueued);
        }
    }

    public void Dispose()
    {
        // Not keyed on _stoppedReason: a crashed batcher sets it too, and its instances must still be disposed.
        StopAsync(TimeSpan.FromSeconds(30), "shutting down").GetAwaiter().GetResult();
        _stopping.Dispose();
    }

    private async Task StopOnceAsync(TimeSpan drainTimeout, string reason, bool finishQueued)
    {
        _stoppedReason = reason;
        var started = _time.GetTimestamp();
        if (finishQueued)
        {
            // The batcher keeps dispatching; wait until it finds the queue empty (or the timeout passes).
            while (_queue.PeekHead() is not null)
            {
                _emptied.Reset();
                var emptied = _emptied.WaitAsync();
                _arrivals.Set();
                if (_queue.PeekHead() is null)
                {
                    break;
                }

                var left = drainTimeout - _time.GetElapsedTime(started);
                if (left <= TimeSpan.Zero || await Task.WhenAny(emptied, Task.Delay(left, _time)).ConfigureAwait(false) != emptied)
                {
                    break;
                }
            }
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The loop's normal way out.
        }

        foreach (var pending in _queue.DrainAll())
        {
            pending.TryFail(new InferenceException(InferenceErrorKind.Unavailable, $"model '{_model}' version {_version} is {reason}"));
        }

        var remaining = drainTimeout - _time.GetElapsedTime(started);
        await _instances.DrainAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, _time).ConfigureAwait(false);
        _instances.Dispose();
    }

    private async Task RunLoopAsync()
    {
        var stop = _stopping.Token;
        var holdsSlot = false;
        IModelRunner? instance = null;
        List<PendingInference>? held = null;   // taken from the queue, not yet handed to Execute
        try
        {
            while (true)
            {
                // Triton's order: an instance first, then the batch, so the batch takes all that queued meanwhile.
                await _instances.WaitAsync(stop).ConfigureAwait(false);
                holdsSlot = true;
                (held, var rows) = await NextBatchAsync(stop).ConfigureAwait(false);
                instance = _instances.Take();
                var startedAt = _time.GetTimestamp();
                SchedulerLog.BatchDispatched(_logger, _model, _version, rows, held.Count);

                // The loop never waits for inference: the batch runs on the thread pool and frees its instance.
                var (batch, runner) = (held, instance);
                Interlocked.Add(ref _running, batch.Count);
                _ = Task.Run(() => Execute(batch, rows, runner, startedAt), CancellationToken.None);
                (held, instance, holdsSlot) = (null, null, false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            GiveBack();
            throw;
        }
        catch (Exception ex)
        {
            // A crashed batcher must not leave callers hanging: fail what it held and what is queued, refuse what
            // comes, and give back its instance so that StopAsync's drain does not wait for it.
            SchedulerLog.BatcherCrashed(_logger, ex, _model, _version);
            _stoppedReason = "unavailable after an internal error";
            GiveBack();
            foreach (var pending in (held ?? []).Concat(_queue.DrainAll()))
            {
                pending.TryFail(new InferenceException(InferenceErrorKind.Internal, "the model's scheduler failed"));
            }
        }

        void GiveBack()
        {
            if (instance is not null)
            {
                _instances.Release(instance);
            }
            else if (holdsSlot)
            {
                _instances.ReleaseSlot();
            }
        }
    }

    private async Task<(List<PendingInference> Batch, int Rows)> NextBatchAsync(CancellationToken stop)
    {
        var batch = BatchLists.Get();
        while (true)
        {
            _arrivals.Reset();
            var arrival = _arrivals.WaitAsync();
            var head = _queue.PeekHead();
            if (head is null)
            {
                _emptied.Set();
                await arrival.WaitAsync(stop).ConfigureAwait(false);
                continue;
            }

            if (_policy.MaxQueueDelay > TimeSpan.Zero)
            {
                // Wait for a fuller batch, but never let the oldest request wait longer than the delay.
                var ready = _queue.TakeBatch(batch, _policy.MaxBatchSize, _policy.Batching, take: false);
                batch.Clear();
                var waited = _time.GetElapsedTime(head.EnqueuedAt);
                if (ready < _policy.TargetBatchSize && waited < _policy.MaxQueueDelay)
                {
                    await WaitForArrivalAsync(arrival, _policy.MaxQueueDelay - waited, stop).ConfigureAwait(false);
                    continue;
                }
            }

            var rows = _queue.TakeBatch(batch, _policy.MaxBatchSize, _policy.Batching, take: true);
            rows -= DropExpired(batch);
            if (batch.Count > 0)
            {
                return (batch, rows);
            }
        }
    }

    private async Task WaitForArrivalAsync(Task arrival, TimeSpan delay, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var timer = Task.Delay(delay, _time, timeout.Token);
        await Task.WhenAny(arrival, timer).ConfigureAwait(false);
        await timeout.CancelAsync().ConfigureAwait(false);
        stop.ThrowIfCancellationRequested();
    }

    private int DropExpired(List<PendingInference> batch)
    {
        var now = _time.GetUtcNow();
        var dropped = 0;
        for (var i = batch.Count - 1; i >= 0; i--)
        {
            var pending = batch[i];
            if (pending.IsCompleted || now >= pending.Deadline)
            {
                pending.TryFail(new InferenceException(InferenceErrorKind.DeadlineExceeded,
                    $"model '{_model}': the request's deadline passed while it was queued; it was not run"));
                dropped += pending.BatchSize;
                batch.RemoveAt(i);
            }
        }

        return dropped;
    }

    private void Execute(List<PendingInference> batch, int rows, IModelRunner instance, long startedAt)
    {
        var requests = batch.Count;
        using var activity = StartBatchActivity(batch, rows);
        try
        {
            Run(batch, rows, instance, startedAt);
        }
        catch (InferenceException ex) when (ex.Kind == InferenceErrorKind.InvalidArgument && batch.Count > 1)
        {
            // One request's data (say, invalid UTF-8) spoiled the batch: give each request its own answer.
            SchedulerLog.BatchSplit(_logger, _model, _version, batch.Count);
            var single = new List<PendingInference>(1);
            foreach (var pending in batch)
            {
                single.Clear();
                single.Add(pending);
                try
                {
                    Run(single, pending.BatchSize, instance, startedAt);
                }
                catch (Exception inner)
                {
                    Fail(single, inner);
                }
            }
        }
        catch (Exception ex)
        {
            Fail(batch, ex);
        }
        finally
        {
            Interlocked.Add(ref _running, -requests);
            _instances.Release(instance);
            BatchLists.Return(batch);
        }
    }

    private Activity? StartBatchActivity(List<PendingInference> batch, int rows)
    {
        // Each request's queue span ends where its batch starts; the batch span links to every request it served.
        var source = InferenceTracing.Source;
        List<ActivityLink>? links = null;
        foreach (var pending in batch)
        {
            if (pending.QueueActivity is { } queued)
            {
                queued.Stop();
                (links ??= new List<ActivityLink>(batch.Count)).Add(new ActivityLink(queued.Context));
            }
        }

        if (!source.HasListeners())
        {
            return null;
        }

        var activity = source.StartActivity("inference.batch", ActivityKind.Internal, parentContext: default, links: links);
        activity?.SetTag("inference.model", _model);
        activity?.SetTag("inference.version", _version);
        activity?.SetTag("inference.batch.rows", rows);
        activity?.SetTag("inference.batch.requests", batch.Count);
        return activity;
    }

    private void Run(List<PendingInference> batch, int rows, IModelRunner instance, long startedAt)
    {
        var rented = new List<byte[]>(0);
        try
        {
            var inputs = batch.Count == 1 ? batch[0].Request.Inputs : BatchAssembler.Concatenate(batch, rows, rented);
            var inputDone = _time.GetTimestamp();
            var run = instance.Run(inputs, BatchAssembler.OutputNames(batch, _signature));
            var inferDone = _time.GetTimestamp();
            try
            {
                var clock = new BatchAssembler.BatchClock(_time, startedAt, _time.GetElapsedTime(startedAt, inferDone), rows);
                BatchAssembler.Complete(batch, run, rows, _model, _version, _signature, clock);
            }
            catch
            {
                run.Owner?.Dispose();
                throw;
            }

            Record(batch, rows, startedAt, inputDone, inferDone, _time.GetTimestamp());
        }
        finally
        {
            foreach (var buffer in rented)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private void Record(List<PendingInference> batch, int rows, long started, long inputDone, long inferDone, long outputDone)
    {
        var statistics = _telemetry.Statistics;
        var input = _time.GetElapsedTime(started, inputDone);
        var infer = _time.GetElapsedTime(inputDone, inferDone);
        var output = _time.GetElapsedTime(inferDone, outputDone);
        statistics.RecordExecution(rows, batch.Count, input, infer, output, _time.GetUtcNow());
        _telemetry.Metrics?.RecordExecution(_telemetry.Tags, rows, _time.GetElapsedTime(started, outputDone));
        foreach (var pending in batch)
        {
            var queued = _time.GetElapsedTime(pending.EnqueuedAt, started);
            statistics.Queue.Add(queued);
            _telemetry.Metrics?.RecordQueue(_telemetry.Tags, queued);
        }
    }

    private void Fail(List<PendingInference> batch, Exception ex)
    {
        var failure = ex as InferenceException;
        if (failure is null || failure.Kind == InferenceErrorKind.Internal)
        {
            SchedulerLog.BatchFailed(_logger, ex, _model, _version, batch.Count);
            failure = new InferenceException(InferenceErrorKind.Internal, failure?.Message ?? "model execution failed");
        }

        foreach (var pending in batch)
        {
            pending.TryFail(failure);
        }
    }

    private sealed class ListPolicy : PooledObjectPolicy<List<PendingInference>>
    {
        public override List<PendingInference> Create() => new(16);

        public override bool Return(List<PendingInference> list)
        {
            list.Clear();
            return list.Capacity <= 1024;
        }
    }
}
