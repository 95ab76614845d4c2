using System.Collections.Frozen;
using InferenceGrpc.Core.Diagnostics;
using InferenceGrpc.Core.Models;

namespace InferenceGrpc.Core.Monitoring.Capture;

/// <summary>
/// One model version's capture settings, parsed from its config's <c>capture.*</c> parameters, plus the sampler
/// state. Null settings (see <see cref="Parse"/>) mean the version is not captured.
/// </summary>
internal sealed class CaptureSettings
{
    public const string Prefix = "capture.";
    public const string SampleRateKey = "capture.sample_rate";
    public const string MaxFileBytesKey = "capture.max_file_bytes";
    public const string MaxTotalBytesKey = "capture.max_total_bytes";
    public const string RedactPrefix = "capture.redact.";
    public const string EncodingKey = "capture.encoding";

    private readonly FractionSampler _sampler;

    private CaptureSettings(string model, long version, double rate, long maxFileBytes, long maxTotalBytes, FrozenDictionary<string, Redaction> rules,
        bool rawNumbers)
    {
        RawNumbers = rawNumbers;
        Model = model;
        Version = version;
        _sampler = new FractionSampler(rate);
        MaxFileBytes = maxFileBytes;
        MaxTotalBytes = maxTotalBytes;
        Rules = rules;
        Tags = VersionTags.For(model, version);
    }

    public string Model { get; }

    public long Version { get; }

    public double SampleRate => _sampler.Fraction;

    public long MaxFileBytes { get; }

    public long MaxTotalBytes { get; }

    public FrozenDictionary<string, Redaction> Rules { get; }

    public VersionTags Tags { get; }

    /// <summary>
    /// <c>capture.encoding: raw</c>: numeric tensors written as base64 of their little-endian bytes instead of JSON
    /// numbers. Formatting floats as text is most of the writer's CPU (a 3×48×192 image is 27,648 of them per record);
    /// base64 is several times cheaper and exact, at the price of needing the datatype to read it back.
    /// </summary>
    public bool RawNumbers { get; }

    /// <summary>Whether to capture this request: exactly <see cref="SampleRate"/> of them over time (<see cref="FractionSampler"/>).</summary>
    public bool Sample() => _sampler.Next();

    public Redaction RuleFor(string tensor) => Rules.TryGetValue(tensor, out var rule) ? rule : Redaction.Keep;

    /// <summary>
    /// The settings of a ready version, or null when its config does not turn capture on (no or zero sample rate).
    /// Throws <see cref="ModelConfigException"/> naming the key for a malformed or unknown <c>capture.*</c> parameter.
    /// </summary>
    public static CaptureSettings? Parse(ModelVersion version, CaptureOptions options)
    {
        var config = version.Config;
        var rate = ModelParameters.Fraction(config, SampleRateKey, absent: 0);
        var maxFile = ModelParameters.Long(config, MaxFileBytesKey, min: 1, absent: options.MaxFileBytes);
        var maxTotal = ModelParameters.Long(config, MaxTotalBytesKey, min: maxFile, absent: Math.Max(options.MaxTotalBytes, maxFile));
        var rules = new Dictionary<string, Redaction>(StringComparer.Ordinal);
        foreach (var (key, value) in config.Parameters)
        {
            if (!key.StartsWith(Prefix, StringComparison.Ordinal) || key is SampleRateKey or MaxFileBytesKey or MaxTotalBytesKey or EncodingKey)
            {
                continue;
            }

            if (!key.StartsWith(RedactPrefix, StringComparison.Ordinal))
            {
                throw ModelParameters.Invalid(config, key,
                    $"one of {SampleRateKey}, {MaxFileBytesKey}, {MaxTotalBytesKey}, {EncodingKey} or {RedactPrefix}<tensor>", key);
            }

            var tensor = key[RedactPrefix.Length..];
            if (version.Signature is { } signature && !signature.TryGetInput(tensor, out _) && !signature.TryGetOutput(tensor, out _))
            {
                throw ModelParameters.Invalid(config, key, "the name of one of the model's inputs or outputs after 'capture.redact.'", tensor);
            }

            rules[tensor] = value switch
            {
                "keep" => Redaction.Keep,
                "drop" => Redaction.Drop,
                "hash" when options.Salt.Length > 0 => Redaction.Hash,
                "hash" => throw ModelParameters.Invalid(config, key, "'keep' or 'drop' while Capture:Salt is empty ('hash' needs a salt)", value),
                _ => throw ModelParameters.Invalid(config, key, "'drop', 'hash' or 'keep'", value),
            };
        }

        var raw = config.Parameters.TryGetValue(EncodingKey, out var encoding) switch
        {
            false => false,
            true when encoding == "json" => false,
            true when encoding == "raw" => true,
            _ => throw ModelParameters.Invalid(config, EncodingKey, "'json' (numbers as JSON numbers, the default) or 'raw' (base64 of the little-endian bytes)", encoding),
        };

        return rate > 0
            ? new CaptureSettings(version.ModelName, version.Version, rate, maxFile, maxTotal, rules.ToFrozenDictionary(StringComparer.Ordinal), raw)
            : null;
    }
}
