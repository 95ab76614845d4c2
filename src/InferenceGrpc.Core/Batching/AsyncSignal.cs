namespace InferenceGrpc.Core.Batching;

/// <summary>
/// A wake-up for the batcher loop. The loop calls <see cref="Reset"/>, takes <see cref="WaitAsync"/>, then looks
/// at the queue; a <see cref="Set"/> after the look completes the task it holds, so no arrival is missed.
/// </summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource _source = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task WaitAsync() => Volatile.Read(ref _source).Task;

    public void Set() => Volatile.Read(ref _source).TrySetResult();

    /// <summary>Arms a fresh task if the current one has fired. Precondition: only the loop calls it.</summary>
    public void Reset()
    {
        var current = Volatile.Read(ref _source);
        if (current.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _source, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), current);
        }
    }
}
