using System.Globalization;

namespace InferenceGrpc.Core.Monitoring.Drift;

/// <summary>
/// One model's drift settings: the server's <see cref="DriftOptions"/> overridden by the config's <c>drift.*</c>
/// parameters (<c>"parameters": {"drift.sample_rate": {"string_value": "0.5"}}</c>).
/// </summary>
public sealed record DriftSettings(
    bool Enabled,
    double SampleRate,
    int Window,
    int MinSamples,
    int MaxFeatures,
    double PsiThreshold,
    double KsThreshold,
    double NanThreshold,
    double OutOfRangeThreshold)
{
    public const string Prefix = "drift.";

    private static readonly string[] Keys =
    [
        "drift.enabled", "drift.sample_rate", "drift.window", "drift.min_samples", "drift.max_features",
        "drift.psi_threshold", "drift.ks_threshold", "drift.nan_threshold", "drift.out_of_range_threshold",
    ];

    /// <exception cref="DriftBaselineException">A <c>drift.*</c> key is unknown or its value is out of range; the message names key, expected and got.</exception>
    public static DriftSettings Resolve(IReadOnlyDictionary<string, string> parameters, DriftOptions defaults)
    {
        foreach (var key in parameters.Keys)
        {
            if (key.StartsWith(Prefix, StringComparison.Ordinal) && Array.IndexOf(Keys, key) < 0)
            {
                throw new DriftBaselineException($"parameter '{key}': unknown drift setting (expected one of {string.Join(", ", Keys)})");
            }
        }

        var window = Integer(parameters, "drift.window", defaults.Window, 10, 1_000_000);
        return new DriftSettings(
            Boolean(parameters, "drift.enabled", true),
            Real(parameters, "drift.sample_rate", defaults.SampleRate, 0, 1),
            window,
            Integer(parameters, "drift.min_samples", Math.Min(defaults.MinSamples, window), 1, window),
            Integer(parameters, "drift.max_features", defaults.MaxFeatures, 1, 10_000),
            Real(parameters, "drift.psi_threshold", defaults.PsiThreshold, double.Epsilon, 100),
            Real(parameters, "drift.ks_threshold", defaults.KsThreshold, double.Epsilon, 1),
            Real(parameters, "drift.nan_threshold", defaults.NanThreshold, 0, 1),
            Real(parameters, "drift.out_of_range_threshold", defaults.OutOfRangeThreshold, 0, 1));
    }

    private static bool Boolean(IReadOnlyDictionary<string, string> parameters, string key, bool fallback)
    {
        if (!parameters.TryGetValue(key, out var text))
        {
            return fallback;
        }

        return bool.TryParse(text, out var value)
            ? value
            : throw new DriftBaselineException($"parameter '{key}': expected true or false, got '{text}'");
    }

    private static int Integer(IReadOnlyDictionary<string, string> parameters, string key, int fallback, int min, int max)
    {
        if (!parameters.TryGetValue(key, out var text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new DriftBaselineException($"parameter '{key}': expected an integer in {min}..{max}, got '{text}'");
    }

    private static double Real(IReadOnlyDictionary<string, string> parameters, string key, double fallback, double min, double max)
    {
        if (!parameters.TryGetValue(key, out var text))
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new DriftBaselineException(string.Create(CultureInfo.InvariantCulture,
                $"parameter '{key}': expected a number in {(min == double.Epsilon ? "(0" : "[" + min.ToString(CultureInfo.InvariantCulture))}, {max}], got '{text}'"));
    }
}
