using System.Globalization;
using InferenceGrpc.Core.Models;

namespace InferenceGrpc.Core.Monitoring.Shadow;

/// <summary>
/// One primary version's shadow settings, parsed from its config's <c>shadow.*</c> parameters, with the sampler
/// and the metric labels of the version pair.
/// </summary>
internal sealed class ShadowSettings
{
    public const string VersionKey = "shadow.version";
    public const string FractionKey = "shadow.fraction";

    private readonly FractionSampler _sampler;

    private ShadowSettings(string model, long primary, long candidate, double fraction)
    {
        Model = model;
        Primary = primary;
        Candidate = candidate;
        CandidateText = candidate.ToString(CultureInfo.InvariantCulture);
        _sampler = new FractionSampler(fraction);
        Tags = [new("model", model), new("version", primary.ToString(CultureInfo.InvariantCulture)), new("candidate", CandidateText)];
    }

    public string Model { get; }

    public long Primary { get; }

    public long Candidate { get; }

    /// <summary>The candidate as a request addresses it (an exact version).</summary>
    public string CandidateText { get; }

    public double Fraction => _sampler.Fraction;

    /// <summary>model, version (the primary) and candidate: the labels of every shadow series.</summary>
    public KeyValuePair<string, object?>[] Tags { get; }

    public bool Sample() => _sampler.Next();

    /// <summary>
    /// The settings of a version, or null when it mirrors nothing: no <c>shadow.*</c> parameters, a zero fraction,
    /// or the version is the candidate itself (the config is shared by every version of the model). Throws
    /// <see cref="ModelConfigException"/> naming the key for a malformed, missing or unknown <c>shadow.*</c> parameter.
    /// </summary>
    public static ShadowSettings? Parse(ModelVersion version)
    {
        var config = version.Config;
        foreach (var key in config.Parameters.Keys)
        {
            if (key.StartsWith("shadow.", StringComparison.Ordinal) && key is not (VersionKey or FractionKey))
            {
                throw ModelParameters.Invalid(config, key, $"{VersionKey} or {FractionKey}", key);
            }
        }

        var hasVersion = config.Parameters.ContainsKey(VersionKey);
        var hasFraction = config.Parameters.ContainsKey(FractionKey);
        if (hasVersion != hasFraction)
        {
            throw ModelParameters.Invalid(config, hasVersion ? FractionKey : VersionKey,
                $"to be set along with {(hasVersion ? VersionKey : FractionKey)}", "nothing");
        }

        if (!hasVersion)
        {
            return null;
        }

        var candidate = ModelParameters.Long(config, VersionKey, min: 1, absent: 0);
        var fraction = ModelParameters.Fraction(config, FractionKey, absent: 0);
        return fraction > 0 && candidate != version.Version ? new ShadowSettings(version.ModelName, version.Version, candidate, fraction) : null;
    }
}
