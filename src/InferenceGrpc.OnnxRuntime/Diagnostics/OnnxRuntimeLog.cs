using InferenceGrpc.OnnxRuntime.Sessions;
using Microsoft.Extensions.Logging;

namespace InferenceGrpc.OnnxRuntime.Diagnostics;

// Event ids 200-299: the ONNX Runtime backend.
internal static partial class OnnxRuntimeLog
{
    [LoggerMessage(200, LogLevel.Warning, "The CUDA execution provider could not be loaded ({Reason}); models of kind AUTO run on the CPU. Install CUDA 13 and cuDNN 9 to use the GPU, or set OnnxRuntime:ExecutionProvider to Cpu to silence this", EventName = "CudaUnavailable")]
    public static partial void CudaUnavailable(ILogger logger, string reason);

    [LoggerMessage(201, LogLevel.Debug, "Model '{Model}' runs on the CPU: the CUDA execution provider could not be loaded ({Reason})", EventName = "CudaUnavailableForModel")]
    public static partial void CudaUnavailableForModel(ILogger logger, string model, string reason);

    [LoggerMessage(202, LogLevel.Warning, "Model '{Model}' version {Version} could not start on {Device} ({Reason}); it runs on the CPU", EventName = "CudaSessionFallback")]
    public static partial void CudaSessionFallback(ILogger logger, string model, long version, string device, string reason);

    [LoggerMessage(203, LogLevel.Debug, "Model '{Model}' version {Version} instance {Instance} of {InstanceCount}: session created on {Device} (intra-op threads {IntraOpThreads}, {IntraOpChoice}; inter-op threads {InterOpThreads}, 0 is ONNX Runtime's default; {ProcessorCount} cores)", EventName = "SessionCreated")]
    public static partial void SessionCreated(ILogger logger, string model, long version, int instance, int instanceCount, string device, int intraOpThreads, IntraOpChoice intraOpChoice, int interOpThreads, int processorCount);

    [LoggerMessage(204, LogLevel.Debug, "Model '{Model}' version {Version}: ONNX Runtime could not load {Path}", EventName = "SessionLoadFailed")]
    public static partial void SessionLoadFailed(ILogger logger, Exception exception, string model, long version, string path);

    [LoggerMessage(210, LogLevel.Error, "Model '{Model}' version {Version} failed to run", EventName = "RunFailed")]
    public static partial void RunFailed(ILogger logger, Exception exception, string model, long version);
}
