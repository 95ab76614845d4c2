using System.Diagnostics.Metrics;
using InferenceGrpc.Core.Diagnostics;

namespace InferenceGrpc.Core.Monitoring.Capture;

/// <summary>
/// <c>inference.capture.records{model, version, outcome}</c>: every sampled record ends as exactly one of
/// written, dropped (queue full, stopped, or larger than a file may be) or failed (the write threw); evicted counts
/// written records that the total size cap deleted later.
/// </summary>
internal sealed class CaptureMetrics(IMeterFactory meterFactory)
{
    public const string Written = "written";
    public const string Dropped = "dropped";
    public const string Failed = "failed";
    public const string Evicted = "evicted";

    private readonly Counter<long> _records = meterFactory.Create(InferenceMetrics.MeterName).CreateCounter<long>(
        "inference.capture.records", "{record}",
        "Sampled prediction-capture records by outcome: written, dropped (queue full), failed (write error), evicted (deleted by the size cap).");

    /// <summary>Creates every outcome's series at 0 when a version starts capturing, so rate() and alerts see it from the start.</summary>
    public void Start(CaptureSettings settings)
    {
        foreach (var outcome in (ReadOnlySpan<string>)[Written, Dropped, Failed, Evicted])
        {
            _records.Add(0, settings.Tags.With("outcome", outcome));
        }
    }

    public void Record(CaptureSettings settings, string outcome, long count = 1) =>
        _records.Add(count, settings.Tags.With("outcome", outcome));
}
