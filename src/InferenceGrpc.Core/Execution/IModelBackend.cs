using InferenceGrpc.Core.Models;

namespace InferenceGrpc.Core.Execution;

/// <summary>Loads model files into runners. One backend serves every model of its platform.</summary>
public interface IModelBackend
{
    /// <summary>The platform name, as in Triton's model metadata ("onnxruntime_onnx").</summary>
    string Platform { get; }

    /// <summary>Loads a version; throws <see cref="ModelConfigException"/> with a clear reason when it cannot.</summary>
    IModelRunner Load(ModelVersionSource source, ModelConfig config);
}
