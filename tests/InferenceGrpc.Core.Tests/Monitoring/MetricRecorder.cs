using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using InferenceGrpc.Core.Diagnostics;

namespace InferenceGrpc.Core.Tests.Monitoring;

/// <summary>A meter factory for tests: plain meters, disposed with it.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly ConcurrentBag<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options);
        _meters.Add(meter);
        return meter;
    }

    public void Dispose()
    {
        foreach (var meter in _meters)
        {
            meter.Dispose();
        }
    }
}

/// <summary>
/// Records the measurements of the server's meter whose <c>model</c> label is this test's model (tests run in
/// parallel and share the process's meters), and lets a test await a condition on them instead of sleeping.
/// </summary>
internal sealed class MetricRecorder : IDisposable
{
    /// <summary>Only a guard against a test that hangs; never a measure of time.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private readonly string _model;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measurement> _measurements = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public MetricRecorder(string model)
    {
        _model = model;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == InferenceMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
        _listener.Start();
    }

    public sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, string?> Tags);

    public IReadOnlyList<Measurement> All => _measurements.ToArray();

    /// <summary>The sum of an instrument's measurements whose labels include all of <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) =>
        Of(instrument, tags).Sum(m => m.Value);

    public IReadOnlyList<Measurement> Of(string instrument, params (string Key, string Value)[] tags) =>
        All.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value)).ToList();

    /// <summary>Completes once <paramref name="condition"/> holds, re-checked after each new measurement.</summary>
    public async Task WaitUntilAsync(Func<MetricRecorder, bool> condition)
    {
        while (true)
        {
            var changed = Volatile.Read(ref _changed);
            if (condition(this))
            {
                return;
            }

            await changed.Task.WaitAsync(HangGuard);
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, tagValue) in tags)
        {
            labels[key] = tagValue?.ToString();
        }

        if (!labels.TryGetValue("model", out var model) || model != _model)
        {
            return;
        }

        _measurements.Enqueue(new Measurement(instrument.Name, value, labels));
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
