using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Batching;

/// <summary>
/// A request waiting in a scheduler's queue, with its deadline and the caller's cancellation. Completed exactly
/// once: by the batch that ran it, by expiry, by cancellation or by shutdown, whichever comes first.
/// </summary>
internal sealed class PendingInference
{
    private readonly TaskCompletionSource<InferenceResult> _completion =
        new(TaskCreationOptions.RunContinuationsAsynchronously);   // never run the caller's continuation on the batcher
    private readonly TimeProvider _time;
    private CancellationTokenRegistration _registration;

    public PendingInference(InferenceRequest request, int batchSize, int priorityLevel, long enqueuedAt, DateTimeOffset deadline, long sequence, TimeProvider time)
    {
        _time = time;
        Request = request;
        BatchSize = batchSize;
        PriorityLevel = priorityLevel;
        EnqueuedAt = enqueuedAt;
        Deadline = deadline;
        Sequence = sequence;
    }

    public InferenceRequest Request { get; }

    /// <summary>Rows this request takes in a batch (its first dimension; 1 for models that do not batch).</summary>
    public int BatchSize { get; }

    /// <summary>1 is served first.</summary>
    public int PriorityLevel { get; }

    /// <summary>TimeProvider timestamp at enqueue.</summary>
    public long EnqueuedAt { get; }

    /// <summary>When the request stops being worth running; <see cref="DateTimeOffset.MaxValue"/> for none.</summary>
    public DateTimeOffset Deadline { get; }

    /// <summary>Arrival order, for FIFO within a priority level.</summary>
    public long Sequence { get; }

    public Task<InferenceResult> Task => _completion.Task;

    /// <summary>The span of its wait in the queue, when tracing samples it; stopped when its batch starts.</summary>
    public System.Diagnostics.Activity? QueueActivity { get; set; }

    /// <summary>True once the request has an answer, including "cancelled": a batch skips it.</summary>
    public bool IsCompleted => _completion.Task.IsCompleted;

    /// <summary>Watches the caller's token. Separate from the constructor so the request is queued before it can fire.</summary>
    public void RegisterCancellation(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            // Static lambda with the request as state: no closure allocated per request.
            _registration = cancellationToken.UnsafeRegister(static (state, _) =>
            {
                var pending = (PendingInference)state!;
                pending.TryFail(pending._time.GetUtcNow() >= pending.Deadline
                    ? new InferenceException(InferenceErrorKind.DeadlineExceeded, "the deadline passed while the request was queued")
                    : new InferenceException(InferenceErrorKind.Cancelled, "the call was cancelled while the request was queued"));
            }, this);
        }
    }

    /// <summary>Stops watching the caller's token, for a request that was never queued.</summary>
    public void DisposeRegistration() => _registration.Dispose();

    public bool TryComplete(InferenceResult result)
    {
        if (_completion.TrySetResult(result))
        {
            _registration.Dispose();
            return true;
        }

        // The caller left first: nobody will dispose this share of the outputs, so do it here.
        result.Dispose();
        return false;
    }

    public bool TryFail(Exception exception)
    {
        if (_completion.TrySetException(exception))
        {
            _registration.Dispose();
            if (QueueActivity is { } activity)
            {
                activity.SetStatus(System.Diagnostics.ActivityStatusCode.Error, exception.Message);
                activity.Stop();
            }

            return true;
        }

        return false;
    }

    /// <summary>The non-batch part of input <paramref name="index"/>'s shape, which requests of one batch share.</summary>
    public ReadOnlySpan<long> RowShape(int index, bool batched)
    {
        var shape = Request.Inputs[index].Shape.AsSpan();
        return batched ? shape[1..] : shape;
    }

    public InputTensor Input(int index) => Request.Inputs[index];
}
