namespace InferenceGrpc.Server.Services;

/// <summary>
/// Counts ModelStreamInfer handlers of this server: how many are running and how many have ended. A handler
/// that outlives its client is a leak; this is how tests (and operators, through a gauge) see one.
/// </summary>
public sealed class StreamTracker
{
    private long _active;
    private long _ended;

    public long Active => Interlocked.Read(ref _active);

    public long Ended => Interlocked.Read(ref _ended);

    public void Started() => Interlocked.Increment(ref _active);

    public void Finished()
    {
        Interlocked.Decrement(ref _active);
        Interlocked.Increment(ref _ended);
    }
}
