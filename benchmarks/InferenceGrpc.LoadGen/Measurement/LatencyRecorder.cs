using System.Diagnostics;
using HdrHistogram;

namespace InferenceGrpc.LoadGen.Measurement;

/// <summary>
/// Latencies of one load level in an HDR histogram: microsecond units, 3 significant digits (±0.1%), up to 10 minutes.
/// Thread-safe and allocation-free per record, so every caller can share one recorder.
/// </summary>
internal sealed class LatencyRecorder
{
    public const long HighestMicroseconds = 600_000_000;

    private readonly LongConcurrentHistogram _histogram = new(1, HighestMicroseconds, 3);

    public long Count => _histogram.TotalCount;

    /// <summary>Records the time between two <see cref="Stopwatch.GetTimestamp"/> values.</summary>
    public void RecordTicks(long startTicks, long endTicks) => RecordMicroseconds(TicksToMicroseconds(endTicks - startTicks));

    public void RecordMicroseconds(long microseconds) =>
        _histogram.RecordValue(Math.Clamp(microseconds, 1, HighestMicroseconds));

    /// <summary>The value at <paramref name="percentile"/> (0..100) in milliseconds; 0 when nothing was recorded.</summary>
    public double PercentileMs(double percentile) =>
        Count == 0 ? 0 : _histogram.GetValueAtPercentile(percentile) / 1000.0;

    public Results.LatencySummary Summarize() => Count == 0
        ? Results.LatencySummary.Empty
        : new Results.LatencySummary(
            PercentileMs(50), PercentileMs(90), PercentileMs(99), PercentileMs(99.9),
            _histogram.GetMean() / 1000.0, PercentileMs(0), _histogram.GetMaxValue() / 1000.0);

    public static long TicksToMicroseconds(long ticks) => (long)(ticks * (1_000_000.0 / Stopwatch.Frequency));
}
