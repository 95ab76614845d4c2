using InferenceGrpc.Core.Models;
using InferenceGrpc.OnnxRuntime.Diagnostics;
using InferenceGrpc.OnnxRuntime.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace InferenceGrpc.OnnxRuntime.Providers;

/// <summary>
/// Decides the execution provider of each model and adds it to the session options: the model's instance-group
/// kind first (GPU: CUDA or fail; CPU: CPU), the server-wide preference for KIND_AUTO.
/// </summary>
/// <remarks>
/// Whether CUDA works is only known by trying: <c>OrtEnv.GetAvailableProviders()</c> lists CUDA in the GPU build
/// even where its libraries (CUDA 13, cuDNN 9) are missing. Thread-safe; one instance serves every load.
/// </remarks>
internal sealed class ExecutionProviderSelector(ExecutionProviderPreference serverPreference, ILogger logger, CudaProviderAppender appendCuda)
{
    /// <summary>
    /// The real provider, configured through <see cref="OrtCUDAProviderOptions"/>. <c>UpdateOptions</c> loads the
    /// provider library, so a machine without CUDA 13 / cuDNN 9 fails there, with an <see cref="OnnxRuntimeException"/>
    /// naming the missing library. ORT copies the options into the session options, so they are released at once.
    /// </summary>
    public static readonly CudaProviderAppender OrtCudaAppender = static (options, settings) =>
    {
        using var cuda = new OrtCUDAProviderOptions();
        cuda.UpdateOptions(settings.ToProviderOptions());
        options.AppendExecutionProvider_CUDA(cuda);
    };

    // The fallback is a property of the machine, not of a model: warn once, then note it per model at Debug.
    private int _cudaFallbackWarned;

    public ExecutionProviderPreference Resolve(ExecutionKind kind) => kind switch
    {
        ExecutionKind.Gpu => ExecutionProviderPreference.Cuda,
        ExecutionKind.Cpu => ExecutionProviderPreference.Cpu,
        _ => serverPreference,
    };

    /// <summary>Adds the provider <paramref name="preference"/> asks for to <paramref name="options"/> (CPU needs nothing).</summary>
    /// <returns>Where the session will run.</returns>
    /// <exception cref="ModelConfigException">CUDA is required but its provider cannot be loaded.</exception>
    public ExecutionTarget Apply(SessionOptions options, ExecutionProviderPreference preference, int deviceId, string model)
    {
        if (preference == ExecutionProviderPreference.Cpu)
        {
            return ExecutionTarget.Cpu;
        }

        try
        {
            appendCuda(options, new CudaProviderSettings(deviceId));
            return ExecutionTarget.Cuda(deviceId);
        }
        catch (Exception ex) when (IsProviderLoadFailure(ex))
        {
            var reason = OrtErrorText.Reason(ex.Message);
            if (preference == ExecutionProviderPreference.Cuda)
            {
                throw new ModelConfigException(
                    $"the CUDA execution provider could not be loaded: {reason}; install CUDA 13 and cuDNN 9 or use KIND_CPU");
            }

            if (Interlocked.Exchange(ref _cudaFallbackWarned, 1) == 0)
            {
                OnnxRuntimeLog.CudaUnavailable(logger, reason);
            }

            OnnxRuntimeLog.CudaUnavailableForModel(logger, model, reason);
            return ExecutionTarget.Cpu;
        }
    }

    // ORT reports a missing provider library as OnnxRuntimeException; the two others mean the native library
    // itself is unusable, which also rules CUDA out.
    private static bool IsProviderLoadFailure(Exception ex) =>
        ex is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException;
}
