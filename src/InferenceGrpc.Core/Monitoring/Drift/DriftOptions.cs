using System.Globalization;

namespace InferenceGrpc.Core.Monitoring.Drift;

/// <summary>
/// Server-wide drift monitoring settings (configuration section "Drift"). Every per-model value here is a default
/// that a model's <c>drift.*</c> parameter overrides (see <see cref="DriftSettings"/>).
/// </summary>
public sealed class DriftOptions
{
    public const string Section = "Drift";

    /// <summary>Master switch (<c>--allow-drift-monitoring</c>). Off: no version is monitored, whatever its baseline.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Fraction of requests sampled, 0..1 (<c>--drift-sample-rate</c>, <c>drift.sample_rate</c>). Default 0.1.</summary>
    public double SampleRate { get; set; } = 0.1;

    /// <summary>Rows in each feature's sliding window (<c>drift.window</c>). Default 1000.</summary>
    public int Window { get; set; } = 1000;

    /// <summary>Rows a window must hold before its figures are exported and judged (<c>drift.min_samples</c>). Default 100.</summary>
    public int MinSamples { get; set; } = 100;

    /// <summary>Features exported one by one per version; the rest are one "_rest" series of their maxima (<c>drift.max_features</c>). Default 32.</summary>
    public int MaxFeatures { get; set; } = 32;

    /// <summary>Sampled requests the hand-off queue holds; past it samples are dropped and counted. Default 1024.</summary>
    public int QueueCapacity { get; set; } = 1024;

    /// <summary>PSI above which a feature or prediction has drifted (<c>drift.psi_threshold</c>). Default 0.2.</summary>
    public double PsiThreshold { get; set; } = 0.2;

    /// <summary>KS statistic above which a feature has drifted (<c>drift.ks_threshold</c>). Default 0.1.</summary>
    public double KsThreshold { get; set; } = 0.1;

    /// <summary>NaN ratio above which a feature is flagged (<c>drift.nan_threshold</c>). Default 0.05.</summary>
    public double NanThreshold { get; set; } = 0.05;

    /// <summary>Out-of-range ratio above which a feature is flagged (<c>drift.out_of_range_threshold</c>). Default 0.05.</summary>
    public double OutOfRangeThreshold { get; set; } = 0.05;

    /// <summary>Every problem, each naming its setting, expected range and value; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        Check(errors, "Drift:SampleRate (--drift-sample-rate)", SampleRate, 0, 1);
        Check(errors, "Drift:Window", Window, 10, 1_000_000);
        Check(errors, "Drift:MinSamples", MinSamples, 1, Window);
        Check(errors, "Drift:MaxFeatures", MaxFeatures, 1, 10_000);
        Check(errors, "Drift:QueueCapacity", QueueCapacity, 1, 1_000_000);
        Check(errors, "Drift:PsiThreshold", PsiThreshold, double.Epsilon, 100);
        Check(errors, "Drift:KsThreshold", KsThreshold, double.Epsilon, 1);
        Check(errors, "Drift:NanThreshold", NanThreshold, 0, 1);
        Check(errors, "Drift:OutOfRangeThreshold", OutOfRangeThreshold, 0, 1);
        return errors;
    }

    private static void Check(List<string> errors, string name, double value, double min, double max)
    {
        if (!(value >= min && value <= max))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture,
                $"{name} must be {(min == double.Epsilon ? "above 0" : min.ToString(CultureInfo.InvariantCulture))}..{max}, got {value}"));
        }
    }
}
