namespace InferenceGrpc.LoadGen.Measurement;

/// <summary>
/// When each request of an open-loop run is due: request i at <c>start + i / rate</c>, whatever happened to the
/// ones before (so a slow server cannot slow the arrivals down, and its queueing shows up as latency). Times are
/// <see cref="System.Diagnostics.Stopwatch"/> ticks.
/// </summary>
internal readonly record struct OpenLoopSchedule
{
    public OpenLoopSchedule(long startTicks, double ratePerSecond, long ticksPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ticksPerSecond);
        StartTicks = startTicks;
        RatePerSecond = ratePerSecond;
        TicksPerSecond = ticksPerSecond;
    }

    public long StartTicks { get; }

    public double RatePerSecond { get; }

    public long TicksPerSecond { get; }

    /// <summary>The time request <paramref name="index"/> (0-based) should be sent.</summary>
    public long IntendedTicks(long index) => StartTicks + (long)Math.Round(index * (TicksPerSecond / RatePerSecond));

    /// <summary>How many requests are due at or before <paramref name="nowTicks"/>.</summary>
    public long DueBy(long nowTicks) =>
        nowTicks < StartTicks ? 0 : FirstIndexAtOrAfter(nowTicks + 1);

    /// <summary>The first request whose intended time is at or after <paramref name="ticks"/>.</summary>
    public long FirstIndexAtOrAfter(long ticks)
    {
        if (ticks <= StartTicks)
        {
            return 0;
        }

        // Estimate, then correct for the rounding in IntendedTicks.
        var index = (long)Math.Ceiling((ticks - StartTicks) * (RatePerSecond / TicksPerSecond));
        while (index > 0 && IntendedTicks(index - 1) >= ticks)
        {
            index--;
        }

        while (IntendedTicks(index) < ticks)
        {
            index++;
        }

        return index;
    }

    /// <summary>How many requests are due in [<paramref name="fromTicks"/>, <paramref name="toTicks"/>).</summary>
    public long CountIn(long fromTicks, long toTicks) =>
        Math.Max(0, FirstIndexAtOrAfter(toTicks) - FirstIndexAtOrAfter(fromTicks));

    /// <summary>A request is late when it went out more than <paramref name="toleranceTicks"/> after its intended time.</summary>
    public static bool IsLate(long intendedTicks, long sentTicks, long toleranceTicks) => sentTicks - intendedTicks > toleranceTicks;
}
