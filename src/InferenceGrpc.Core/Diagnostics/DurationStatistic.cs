namespace InferenceGrpc.Core.Diagnostics;

/// <summary>A count and a total duration, updated without locks (Triton's StatisticDuration).</summary>
public sealed class DurationStatistic
{
    private long _count;
    private long _nanoseconds;

    public long Count => Volatile.Read(ref _count);

    public long Nanoseconds => Volatile.Read(ref _nanoseconds);

    public void Add(TimeSpan duration, long count = 1)
    {
        Interlocked.Add(ref _count, count);
        Interlocked.Add(ref _nanoseconds, (long)(duration.Ticks * count * (1_000_000_000 / TimeSpan.TicksPerSecond)));
    }
}
