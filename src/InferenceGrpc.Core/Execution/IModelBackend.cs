using InferenceGrpc.Core.Models;

namespace InferenceGrpc.Core.Execution;

/// <summary>Loads model files into runners. One backend serves every model of its platform.</summary>
public interface IModelBackend
{
    /// <summary>The platform name, as in Triton's model metadata ("onnxruntime_onnx").</summary>
    string Platform { get; }

    /// <summary>The name a model config's <c>backend</c> uses to pick this backend ("onnxruntime").</summary>
    string Backend { get; }

    /// <summary>
    /// Whether a version needs its <see cref="ModelConfig.ModelFileName"/> file; processors configured entirely by
    /// their parameters do not.
    /// </summary>
    bool NeedsModelFile => true;

    /// <summary>Loads a version; throws <see cref="ModelConfigException"/> with a clear reason when it cannot.</summary>
    IModelRunner Load(ModelVersionSource source, ModelConfig config);

    /// <summary>
    /// Loads instance <paramref name="instanceIndex"/> (0-based, below <see cref="ModelConfig.InstanceCount"/>) of a
    /// version, so a backend can place instances (say, round-robin over a group's GPUs).
    /// </summary>
    IModelRunner Load(ModelVersionSource source, ModelConfig config, int instanceIndex) => Load(source, config);
}
