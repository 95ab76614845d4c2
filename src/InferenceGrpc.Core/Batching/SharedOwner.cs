namespace InferenceGrpc.Core.Batching;

/// <summary>
/// One batch's output memory shared by the results of its requests: released when the last of them is disposed.
/// </summary>
internal sealed class SharedOwner(IDisposable? inner, int shares) : IDisposable
{
    private int _shares = shares;

    public void Dispose()
    {
        if (Interlocked.Decrement(ref _shares) == 0)
        {
            inner?.Dispose();
        }
    }
}
