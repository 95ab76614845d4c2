namespace InferenceGrpc.OnnxRuntime;

/// <summary>Which ONNX Runtime execution provider runs the models whose instance group is KIND_AUTO.</summary>
public enum ExecutionProviderPreference
{
    /// <summary>CUDA when its provider library loads, else the CPU (with one warning).</summary>
    Auto,

    /// <summary>CUDA only: a model fails to load when the CUDA provider cannot.</summary>
    Cuda,

    /// <summary>The CPU only, even where CUDA is present.</summary>
    Cpu,
}
