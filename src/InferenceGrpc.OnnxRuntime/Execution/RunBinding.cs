namespace InferenceGrpc.OnnxRuntime.Execution;

/// <summary>How <see cref="OnnxModelRunner"/> passes inputs and outputs to ONNX Runtime.</summary>
internal enum RunBinding
{
    /// <summary><c>InferenceSession.Run</c> with input and output OrtValues.</summary>
    OrtValues,

    /// <summary>An <c>OrtIoBinding</c>: inputs bound as OrtValues, outputs bound to host memory.</summary>
    IoBinding,
}
