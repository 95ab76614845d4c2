using System.Diagnostics;
using System.Diagnostics.Metrics;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;

namespace InferenceGrpc.Core.Diagnostics;

/// <summary>
/// The server's OpenTelemetry-ready metrics, made once from <see cref="IMeterFactory"/>. Durations in seconds with
/// explicit buckets from 100 µs to 10 s; labels are model, version and outcome only (bounded: a model name a
/// client made up is labelled "" so it cannot grow the series).
/// </summary>
public sealed class InferenceMetrics
{
    public const string MeterName = "InferenceGrpc";

    /// <summary>Seconds: 100 µs to 10 s, finer where model servers live (sub-millisecond to tens of ms).</summary>
    public static readonly IReadOnlyList<double> DurationBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public static readonly IReadOnlyList<int> BatchSizeBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256];

    private readonly Histogram<double> _requestDuration;
    private readonly Histogram<double> _queueDuration;
    private readonly Histogram<double> _computeDuration;
    private readonly Histogram<int> _batchSize;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _inferences;
    private readonly Counter<long> _executions;
    private readonly Counter<long> _observerFailures;

    public InferenceMetrics(IMeterFactory meterFactory, ModelRegistry registry)
    {
        var meter = meterFactory.Create(MeterName);
        var seconds = new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets };
        _requestDuration = meter.CreateHistogram("inference.request.duration", "s",
            "Time from the request reaching the model until its answer, by outcome.", advice: seconds);
        _queueDuration = meter.CreateHistogram("inference.queue.duration", "s",
            "Time a request waited in its model's queue before its batch started.", advice: seconds);
        _computeDuration = meter.CreateHistogram("inference.compute.duration", "s",
            "Time one batch execution took: input copy, inference and output split.", advice: seconds);
        _batchSize = meter.CreateHistogram("inference.batch.size", "{row}",
            "Rows per batch execution.", advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = BatchSizeBuckets });
        _requests = meter.CreateCounter<long>("inference.requests", "{request}", "Requests by outcome.");
        _inferences = meter.CreateCounter<long>("inference.inferences", "{row}", "Rows inferred (a batch of 8 rows counts 8).");
        _executions = meter.CreateCounter<long>("inference.executions", "{execution}", "Batch executions (a batch counts 1).");
        _observerFailures = meter.CreateCounter<long>("inference.observer.failures", "{failure}",
            "Throws of an inference observer (drift, capture, shadow); the request itself still succeeded.");

        meter.CreateObservableGauge("inference.queue.depth", () => Observe(registry, s => s.QueueDepth), "{request}",
            "Requests waiting in a model version's queue: the autoscaling signal.");
        meter.CreateObservableGauge("inference.inflight", () => Observe(registry, s => s.InFlight), "{request}",
            "Requests of a model version queued or running.");
        meter.CreateObservableGauge("inference.model.ready", () => ObserveReady(registry), "{version}",
            "1 for a model version that is ready, 0 for one that is loading, unloading or failed.");
    }

    public bool Enabled => _requestDuration.Enabled || _requests.Enabled;

    /// <summary>One request's outcome and end-to-end duration.</summary>
    public void RecordRequest(in VersionTags tags, string outcome, TimeSpan duration)
    {
        var list = tags.With("outcome", outcome);
        _requests.Add(1, list);
        _requestDuration.Record(duration.TotalSeconds, list);
    }

    public void RecordQueue(in VersionTags tags, TimeSpan duration) =>
        _queueDuration.Record(duration.TotalSeconds, tags.List);

    public void RecordExecution(in VersionTags tags, int rows, TimeSpan compute)
    {
        _computeDuration.Record(compute.TotalSeconds, tags.List);
        _batchSize.Record(rows, tags.List);
        _inferences.Add(rows, tags.List);
        _executions.Add(1, tags.List);
    }

    /// <summary>An <see cref="IInferenceObserver"/> threw; labelled by its type, a fixed and small set.</summary>
    public void RecordObserverFailure(string observer) =>
        _observerFailures.Add(1, new KeyValuePair<string, object?>("observer", observer));

    /// <summary>The outcome label of a failure.</summary>
    public static string Outcome(InferenceErrorKind kind) => kind switch
    {
        InferenceErrorKind.InvalidArgument => "invalid",
        InferenceErrorKind.NotFound => "not_found",
        InferenceErrorKind.Unavailable => "unavailable",
        InferenceErrorKind.QueueFull => "queue_full",
        InferenceErrorKind.DeadlineExceeded => "deadline",
        InferenceErrorKind.Cancelled => "cancelled",
        _ => "internal",
    };

    private static IEnumerable<Measurement<int>> Observe(ModelRegistry registry, Func<Batching.IModelScheduler, int> value)
    {
        foreach (var model in registry.Models)
        {
            foreach (var version in model.Versions.Values)
            {
                if (version.Scheduler is { } scheduler)
                {
                    yield return new Measurement<int>(value(scheduler), VersionTags.For(model.Name, version.Version).List);
                }
            }
        }
    }

    private static IEnumerable<Measurement<int>> ObserveReady(ModelRegistry registry)
    {
        foreach (var model in registry.Models)
        {
            foreach (var version in model.Versions.Values)
            {
                yield return new Measurement<int>(version.State == ModelState.Ready ? 1 : 0, VersionTags.For(model.Name, version.Version).List);
            }
        }
    }
}

/// <summary>The model and version labels of one version, built once and reused for every measurement.</summary>
public readonly struct VersionTags
{
    private readonly KeyValuePair<string, object?> _model;
    private readonly KeyValuePair<string, object?> _version;

    private VersionTags(string model, string version)
    {
        _model = new("model", model);
        _version = new("version", version);
    }

    /// <summary>For requests that reached no known model: bounded, whatever name a client sends.</summary>
    public static VersionTags Unknown { get; } = new("", "");

    public TagList List => new() { _model, _version };

    public static VersionTags For(string model, long version) =>
        new(model, version.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static VersionTags ForModel(string model) => new(model, "");

    public TagList With(string key, string value) => new() { _model, _version, new(key, value) };
}
