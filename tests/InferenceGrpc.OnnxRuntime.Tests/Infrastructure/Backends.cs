using InferenceGrpc.Core.Models;
using InferenceGrpc.OnnxRuntime.Providers;
using Microsoft.ML.OnnxRuntime;

namespace InferenceGrpc.OnnxRuntime.Tests.Infrastructure;

/// <summary>Backends and configs for tests: CPU unless a test asks otherwise.</summary>
internal static class Backends
{
    /// <summary>
    /// Stands in for a CUDA provider that loads: appends nothing, so the session still runs on the CPU while the
    /// backend treats it as a CUDA instance (device id, one thread, IOBinding runner).
    /// </summary>
    public static readonly CudaProviderAppender CudaLoads = static (_, _) => { };

    /// <summary>
    /// Stands in for a machine without CUDA libraries: the same exception type ORT throws there, from an unknown
    /// provider name, so the outcome does not depend on the machine.
    /// </summary>
    public static readonly CudaProviderAppender CudaMissing =
        static (options, _) => options.AppendExecutionProvider("NoSuchProviderInTests", new Dictionary<string, string>());

    public static OnnxModelBackend Cpu(RecordingLogger<OnnxModelBackend>? logger = null) =>
        new(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cpu }, logger ?? new());

    public static OnnxModelBackend With(
        OnnxRuntimeOptions options, CudaProviderAppender appendCuda, RecordingLogger<OnnxModelBackend>? logger = null, int processorCount = 8) =>
        new(options, logger ?? new(), appendCuda, processorCount);

    /// <summary>The backend of <paramref name="path"/>: the CPU's OrtValue runner, or the CUDA stand-in's IOBinding runner.</summary>
    public static OnnxModelBackend For(RunPath path, RecordingLogger<OnnxModelBackend>? logger = null) => path switch
    {
        RunPath.OrtValues => Cpu(logger),
        _ => With(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cuda }, CudaLoads, logger),
    };

    public static ModelConfig Config(
        ExecutionKind kind = ExecutionKind.Auto,
        IReadOnlyDictionary<string, string>? parameters = null,
        IReadOnlyList<int>? gpus = null,
        int count = 1) =>
        new()
        {
            Name = "model",
            InstanceGroups = [new InstanceGroup(count, kind, gpus ?? [])],
            Parameters = parameters ?? new Dictionary<string, string>(),
        };

    /// <summary>Whether this machine's CUDA provider loads (CUDA 13 and cuDNN 9 present); false on CPU-only CI.</summary>
    public static bool CudaProviderLoads { get; } = ProbeCuda();

    private static bool ProbeCuda()
    {
        using var options = new SessionOptions();
        try
        {
            options.AppendExecutionProvider_CUDA(0);
            return true;
        }
        catch (OnnxRuntimeException)
        {
            return false;
        }
    }
}

/// <summary>The two ways a runner passes tensors to ORT (public twin of the internal <c>RunBinding</c>, for theories).</summary>
public enum RunPath
{
    OrtValues,
    IoBinding,
}
