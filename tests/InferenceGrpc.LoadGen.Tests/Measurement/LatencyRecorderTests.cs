using System.Diagnostics;
using InferenceGrpc.LoadGen.Measurement;

namespace InferenceGrpc.LoadGen.Tests.Measurement;

public sealed class LatencyRecorderTests
{
    [Fact]
    public void Summarize_UniformMicroseconds_PercentilesWithinHistogramPrecision()
    {
        var recorder = new LatencyRecorder();
        for (var us = 1; us <= 10_000; us++)
        {
            recorder.RecordMicroseconds(us);
        }

        var summary = recorder.Summarize();

        // Three significant digits: each answer within 0.1% of the exact nearest-rank value.
        Assert.Equal(10_000, recorder.Count);
        Assert.Equal(5.0, summary.P50, 0.005);
        Assert.Equal(9.0, summary.P90, 0.009);
        Assert.Equal(9.9, summary.P99, 0.0099);
        Assert.Equal(9.99, summary.P999, 0.00999);
        Assert.Equal(5.0005, summary.Mean, 0.005);
        Assert.Equal(0.001, summary.Min, 0.000001);
        Assert.Equal(10.0, summary.Max, 0.01);
    }

    [Fact]
    public void RecordMicroseconds_OutsideRange_IsClampedNotThrown()
    {
        var recorder = new LatencyRecorder();

        recorder.RecordMicroseconds(0);
        recorder.RecordMicroseconds(LatencyRecorder.HighestMicroseconds * 2);

        Assert.Equal(2, recorder.Count);
        Assert.Equal(LatencyRecorder.HighestMicroseconds / 1000.0, recorder.Summarize().Max, LatencyRecorder.HighestMicroseconds / 1000.0 * 0.001);
    }

    [Fact]
    public void RecordTicks_OneSecondOfTicks_IsOneThousandMilliseconds()
    {
        var recorder = new LatencyRecorder();

        recorder.RecordTicks(1_000, 1_000 + Stopwatch.Frequency);

        Assert.Equal(1000, recorder.PercentileMs(50), 1.0);
    }

    [Fact]
    public void Summarize_NothingRecorded_IsEmpty()
    {
        Assert.Equal(LoadGen.Results.LatencySummary.Empty, new LatencyRecorder().Summarize());
    }
}
