using InferenceGrpc.Core.Batching;

namespace InferenceGrpc.Core.Models;

/// <summary>
/// One version of a model as the server holds it. Immutable: a state change publishes a new instance in a new
/// registry snapshot, so a request that resolved a version keeps a consistent view of it.
/// </summary>
public sealed class ModelVersion
{
    private ModelVersion(string modelName, long version, ModelConfig config, ModelState state, string? reason, ModelSignature? signature, IModelScheduler? scheduler)
    {
        ModelName = modelName;
        Version = version;
        Config = config;
        State = state;
        Reason = reason;
        Signature = signature;
        Scheduler = scheduler;
    }

    public string ModelName { get; }

    public long Version { get; }

    public ModelConfig Config { get; }

    public ModelState State { get; }

    /// <summary>What it was loaded from (config and model file); a reload with the same fingerprint reuses it.</summary>
    public string Fingerprint { get; private init; } = "";

    /// <summary>Why the version is not ready, for RepositoryIndex and logs.</summary>
    public string? Reason { get; }

    /// <summary>Set when <see cref="State"/> is <see cref="ModelState.Ready"/>.</summary>
    public ModelSignature? Signature { get; }

    /// <summary>Queues and runs this version's requests on its instances; set when ready.</summary>
    public IModelScheduler? Scheduler { get; }

    public static ModelVersion Loading(string model, long version, ModelConfig config) =>
        new(model, version, config, ModelState.Loading, null, null, null);

    /// <summary>
    /// The class labels of outputs whose config names a <c>label_filename</c>, by output name, for the classification
    /// extension; empty when none does.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Labels { get; private init; } = NoLabels;

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoLabels = new Dictionary<string, IReadOnlyList<string>>();

    public static ModelVersion Ready(string model, long version, ModelConfig config, ModelSignature signature, IModelScheduler scheduler, string fingerprint = "",
        IReadOnlyDictionary<string, IReadOnlyList<string>>? labels = null) =>
        new(model, version, config, ModelState.Ready, null, signature, scheduler) { Fingerprint = fingerprint, Labels = labels ?? NoLabels };

    /// <summary>A version being loaded whose signature is resolved: what <see cref="IModelVersionCheck"/>s look at.</summary>
    public static ModelVersion Resolved(string model, long version, ModelConfig config, ModelSignature signature) =>
        new(model, version, config, ModelState.Loading, null, signature, null);

    public static ModelVersion Unavailable(string model, long version, ModelConfig config, string reason) =>
        new(model, version, config, ModelState.Unavailable, reason, null, null);
}
