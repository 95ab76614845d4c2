using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Models;

/// <summary>
/// A model's configuration, with the meaning of Triton's <c>ModelConfig</c> for the fields we honour. Fields left
/// null are completed from the ONNX graph at load (see <see cref="SignatureResolver"/>).
/// </summary>
public sealed record ModelConfig
{
    public const string OnnxPlatform = "onnxruntime_onnx";
    public const string DefaultModelFileName = "model.onnx";
    public const string OnnxBackend = "onnxruntime";

    /// <summary>The platform of a pipeline of other models (Triton's ensemble).</summary>
    public const string EnsemblePlatform = "ensemble";

    public required string Name { get; init; }

    public string Platform { get; init; } = OnnxPlatform;

    /// <summary>
    /// The backend that loads the version (Triton's <c>backend</c>): "onnxruntime", or one of the built-in processors.
    /// The host's <see cref="Execution.BackendCatalog"/> says which exist.
    /// </summary>
    public string Backend { get; init; } = OnnxBackend;

    /// <summary>0: no implicit batch dimension; &gt;0: the first dimension is the batch, at most this large; null: from the graph.</summary>
    public int? MaxBatchSize { get; init; }

    /// <summary>Inputs as configured (dims exclude the batch dimension); null: every input of the graph.</summary>
    public IReadOnlyList<TensorSpec>? Inputs { get; init; }

    /// <summary>Outputs as configured; null: every output of the graph.</summary>
    public IReadOnlyList<TensorSpec>? Outputs { get; init; }

    public VersionPolicy VersionPolicy { get; init; } = VersionPolicy.Default;

    /// <summary>The dynamic_batching block; null when the config has none (the server default applies).</summary>
    public Batching.DynamicBatchingConfig? DynamicBatching { get; init; }

    /// <summary>The instance groups; empty when the config names none (the loader then applies the server's default).</summary>
    public IReadOnlyList<InstanceGroup> InstanceGroups { get; init; } = [];

    public string ModelFileName { get; init; } = DefaultModelFileName;

    /// <summary>Backend parameters, e.g. <c>intra_op_thread_count</c> (Triton's onnxruntime backend names).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>The pipeline of an ensemble (<see cref="EnsemblePlatform"/>); null for every other model.</summary>
    public Ensembles.EnsembleScheduling? Ensemble { get; init; }

    /// <summary>
    /// Output name → its <c>label_filename</c> (a file in the model folder, one class label per line), for the
    /// classification extension.
    /// </summary>
    public IReadOnlyDictionary<string, string> LabelFiles { get; init; } = new Dictionary<string, string>();

    /// <summary>The execution kind the first instance group asks for; every group of one version shares it.</summary>
    public ExecutionKind ExecutionKind => InstanceGroups.Count == 0 ? ExecutionKind.Auto : InstanceGroups[0].Kind;

    /// <summary>How many instances (sessions) to create: the sum of the instance groups' counts.</summary>
    public int InstanceCount => InstanceGroups.Count == 0 ? 1 : InstanceGroups.Sum(g => g.Count);
}

/// <summary>Where a model runs, as Triton's instance-group kind: AUTO is the GPU when CUDA loads, else the CPU.</summary>
public enum ExecutionKind
{
    Auto,
    Cpu,
    Gpu,
}

public sealed record InstanceGroup(int Count, ExecutionKind Kind, IReadOnlyList<int> Gpus)
{
    public static InstanceGroup Default { get; } = new(1, ExecutionKind.Auto, []);
}

public enum VersionPolicyKind
{
    Latest,
    All,
    Specific,
}

/// <summary>Which versions of a model to serve (Triton's <c>version_policy</c>; default: the latest one).</summary>
public sealed record VersionPolicy(VersionPolicyKind Kind, int NumVersions, IReadOnlyList<long> Versions)
{
    public static VersionPolicy Default { get; } = new(VersionPolicyKind.Latest, 1, []);

    public static VersionPolicy All { get; } = new(VersionPolicyKind.All, 0, []);

    /// <summary>Picks the versions to serve from those present, ascending.</summary>
    public IReadOnlyList<long> Select(IEnumerable<long> present)
    {
        var sorted = present.Distinct().Order().ToList();
        return Kind switch
        {
            VersionPolicyKind.All => sorted,
            VersionPolicyKind.Latest => sorted.Skip(Math.Max(0, sorted.Count - NumVersions)).ToList(),
            VersionPolicyKind.Specific => sorted.Where(Versions.Contains).ToList(),
            _ => sorted,
        };
    }
}
