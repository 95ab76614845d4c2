using System.Diagnostics;
using System.Diagnostics.Metrics;
using InferenceGrpc.Core.Diagnostics;

namespace InferenceGrpc.Core.Monitoring.Shadow;

/// <summary>
/// The shadow series, labelled by the version pair (model, version = the primary, candidate) and, for the
/// per-output comparisons, the output name: a model's signature, so bounded.
/// </summary>
internal sealed class ShadowMetrics
{
    public const string Compared = "compared";
    public const string Dropped = "dropped";
    public const string Failed = "failed";

    /// <summary>Max absolute difference buckets: 0 alone (identical), then decades from float rounding up to 100.</summary>
    public static readonly IReadOnlyList<double> DifferenceBuckets = [0, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10, 100];

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _difference;
    private readonly Counter<long> _argmax;
    private readonly Counter<long> _outputs;
    private readonly Histogram<double> _duration;

    public ShadowMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(InferenceMetrics.MeterName);
        _requests = meter.CreateCounter<long>("inference.shadow.requests", "{request}",
            "Mirrored requests to a candidate version by outcome: compared, dropped (too many in flight), failed (candidate missing, not ready or failing).");
        _difference = meter.CreateHistogram("inference.shadow.max_abs_difference", null,
            "Per compared request and numeric output: the largest absolute difference between the candidate's and the primary's elements.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DifferenceBuckets });
        _argmax = meter.CreateCounter<long>("inference.shadow.argmax", "{row}",
            "Rows of classifier-like outputs (last dimension over 1) whose argmax the candidate agrees or disagrees with.");
        _outputs = meter.CreateCounter<long>("inference.shadow.outputs", "{output}",
            "Compared outputs that are byte for byte equal to the primary's, or different (values, shape or datatype).");
        _duration = meter.CreateHistogram("inference.shadow.duration", "s",
            "Time a shadow request took on the candidate, queue included.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = InferenceMetrics.DurationBuckets });
    }

    /// <summary>Creates the request outcomes' series at 0 when a version starts mirroring, so rate() sees them from the start.</summary>
    public void Start(ShadowSettings settings)
    {
        foreach (var outcome in (ReadOnlySpan<string>)[Compared, Dropped, Failed])
        {
            _requests.Add(0, With(settings, "outcome", outcome));
        }
    }

    public void Request(ShadowSettings settings, string outcome) => _requests.Add(1, With(settings, "outcome", outcome));

    public void Compare(ShadowSettings settings, IReadOnlyList<OutputComparison> comparisons, TimeSpan duration)
    {
        foreach (var comparison in comparisons)
        {
            var output = With(settings, "output", comparison.Output);
            if (comparison.MaxAbsDifference is { } difference)
            {
                _difference.Record(difference, output);
            }

            if (comparison.Rows > 0)
            {
                var agree = output;
                agree.Add("outcome", "agree");
                _argmax.Add(comparison.ArgmaxAgreements, agree);
                var disagree = output;
                disagree.Add("outcome", "disagree");
                _argmax.Add(comparison.Rows - comparison.ArgmaxAgreements, disagree);
            }

            var equality = output;
            equality.Add("outcome", comparison.Equal ? "equal" : "different");
            _outputs.Add(1, equality);
        }

        _requests.Add(1, With(settings, "outcome", Compared));
        _duration.Record(duration.TotalSeconds, new TagList(settings.Tags));
    }

    private static TagList With(ShadowSettings settings, string key, string value)
    {
        var tags = new TagList(settings.Tags) { { key, value } };
        return tags;
    }
}
