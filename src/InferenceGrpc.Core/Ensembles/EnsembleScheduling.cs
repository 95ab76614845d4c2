namespace InferenceGrpc.Core.Ensembles;

/// <summary>
/// An ensemble's pipeline, as Triton's <c>ensemble_scheduling</c>: steps that each run a model of the repository,
/// wired by tensor names. Which step runs when follows from the maps (a step runs once its inputs exist).
/// </summary>
public sealed record EnsembleScheduling(IReadOnlyList<EnsembleStep> Steps);

/// <summary>One step of an ensemble (Triton's <c>ModelEnsembling.Step</c>).</summary>
/// <param name="ModelName">The model the step runs.</param>
/// <param name="ModelVersion">The version it runs; -1: the model's latest ready version, resolved per request.</param>
/// <param name="InputMap">Step model input → the ensemble tensor fed to it.</param>
/// <param name="OutputMap">Step model output → the ensemble tensor it produces.</param>
public sealed record EnsembleStep(
    string ModelName,
    long ModelVersion,
    IReadOnlyDictionary<string, string> InputMap,
    IReadOnlyDictionary<string, string> OutputMap)
{
    /// <summary>The <see cref="ModelVersion"/> that means "latest".</summary>
    public const long Latest = -1;

    /// <summary>The version as a request names it: empty for the latest ready one.</summary>
    public string RequestVersion => ModelVersion == Latest ? "" : ModelVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>"step 1 (model 'scale')": how messages name the step (0-based, as listed in the config).</summary>
    public static string Describe(int index, string model) => $"step {index} (model '{model}')";
}
