using System.Globalization;
using InferenceGrpc.Core.Models;

namespace InferenceGrpc.Processors.Configuration;

/// <summary>
/// Reads one processor's namespaced keys (<c>tokenizer.</c>, <c>pool.</c>, <c>image.</c>) from a model config's
/// <c>parameters</c> map. Every bad value and every unknown key of the namespace is collected, so one failed load names
/// them all; a misspelt key is an error, never silently the default.
/// </summary>
internal sealed class ProcessorParameters
{
    private readonly ModelConfig _config;
    private readonly string _prefix;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);
    private readonly List<string> _errors = [];

    public ProcessorParameters(ModelConfig config, string prefix)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        _prefix = prefix;
    }

    /// <summary>Records a problem found while interpreting values that each parsed on its own.</summary>
    public void Error(string message) => _errors.Add(message);

    public string? Raw(string key)
    {
        var full = _prefix + key;
        _read.Add(full);
        return _config.Parameters.TryGetValue(full, out var value) ? value : null;
    }

    public int Int(string key, int defaultValue, int min, int max) => (int)Long(key, defaultValue, min, max);

    public long Long(string key, long defaultValue, long min, long max)
    {
        var raw = Raw(key);
        if (raw is null)
        {
            return defaultValue;
        }

        if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        Invalid(key, $"an integer from {min} to {max}", raw);
        return defaultValue;
    }

    public bool Bool(string key, bool defaultValue)
    {
        var raw = Raw(key);
        switch (raw)
        {
            case null:
                return defaultValue;
            case "true":
                return true;
            case "false":
                return false;
            default:
                Invalid(key, "'true' or 'false'", raw);
                return defaultValue;
        }
    }

    public string Choice(string key, string defaultValue, params string[] allowed)
    {
        var raw = Raw(key);
        if (raw is null)
        {
            return defaultValue;
        }

        if (allowed.Contains(raw, StringComparer.Ordinal))
        {
            return raw;
        }

        Invalid(key, "one of " + string.Join(", ", allowed.Select(a => $"'{a}'")), raw);
        return defaultValue;
    }

    /// <summary>A tensor or token name: any non-empty string without surrounding spaces.</summary>
    public string Name(string key, string defaultValue)
    {
        var raw = Raw(key);
        if (raw is null)
        {
            return defaultValue;
        }

        if (raw.Length > 0 && raw.Trim() == raw)
        {
            return raw;
        }

        Invalid(key, "a non-empty name without surrounding spaces", raw);
        return defaultValue;
    }

    /// <summary>A finite number; <paramref name="positive"/> also refuses zero and below.</summary>
    public float Float(string key, float defaultValue, bool positive = false)
    {
        var raw = Raw(key);
        if (raw is null)
        {
            return defaultValue;
        }

        if (TryFloat(raw, positive, out var value))
        {
            return value;
        }

        Invalid(key, positive ? "a finite number above 0" : "a finite number", raw);
        return defaultValue;
    }

    /// <summary>Exactly <paramref name="count"/> comma-separated finite numbers ("0.485,0.456,0.406").</summary>
    public float[] Floats(string key, float[] defaultValue, int count, bool positive = false)
    {
        var raw = Raw(key);
        if (raw is null)
        {
            return defaultValue;
        }

        var parts = raw.Split(',', StringSplitOptions.TrimEntries);
        var values = new float[parts.Length];
        var ok = parts.Length == count;
        for (var i = 0; ok && i < parts.Length; i++)
        {
            ok = TryFloat(parts[i], positive, out values[i]);
        }

        if (ok)
        {
            return values;
        }

        Invalid(key, $"{count} comma-separated finite numbers{(positive ? " above 0" : "")}", raw);
        return defaultValue;
    }

    /// <exception cref="ModelConfigException">A value was invalid, or a key of this namespace is not one the processor reads.</exception>
    public void ThrowIfInvalid()
    {
        foreach (var key in _config.Parameters.Keys.Where(k => k.StartsWith(_prefix, StringComparison.Ordinal) && !_read.Contains(k)).Order(StringComparer.Ordinal))
        {
            _errors.Add($"parameter '{key}' is not one this processor reads; it reads {string.Join(", ", _read.Order(StringComparer.Ordinal).Select(k => $"'{k}'"))}");
        }

        if (_errors.Count > 0)
        {
            throw new ModelConfigException($"model '{_config.Name}': {string.Join("; ", _errors)}");
        }
    }

    private static bool TryFloat(string text, bool positive, out float value) =>
        float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && float.IsFinite(value) && (!positive || value > 0);

    private void Invalid(string key, string expected, string got) =>
        _errors.Add($"parameter '{_prefix}{key}' must be {expected}, got '{got}'");
}
