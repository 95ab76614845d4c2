using System.Globalization;
using InferenceGrpc.Core.Models;

namespace InferenceGrpc.Core.Monitoring;

/// <summary>
/// Reads typed values from a model config's <c>parameters</c> map. A malformed value is a
/// <see cref="ModelConfigException"/> naming the model, the key, what was expected and what came.
/// </summary>
internal static class ModelParameters
{
    /// <summary>A fraction in 0..1 (a sample rate); <paramref name="absent"/> when the key is not set.</summary>
    public static double Fraction(ModelConfig config, string key, double absent)
    {
        if (!config.Parameters.TryGetValue(key, out var text))
        {
            return absent;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value >= 0 && value <= 1))
        {
            throw Invalid(config, key, "a number in 0..1", text);
        }

        return value;
    }

    /// <summary>A whole number of at least <paramref name="min"/>; <paramref name="absent"/> when the key is not set.</summary>
    public static long Long(ModelConfig config, string key, long min, long absent)
    {
        if (!config.Parameters.TryGetValue(key, out var text))
        {
            return absent;
        }

        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min)
        {
            throw Invalid(config, key, $"a whole number of at least {min.ToString(CultureInfo.InvariantCulture)}", text);
        }

        return value;
    }

    public static ModelConfigException Invalid(ModelConfig config, string key, string expected, string got) =>
        new($"model '{config.Name}': parameter '{key}' expected {expected}, got '{got}'");
}
