using InferenceGrpc.Core.Models;
using InferenceGrpc.OnnxRuntime.Providers;
using Microsoft.ML.OnnxRuntime;

namespace InferenceGrpc.OnnxRuntime.Tests.Infrastructure;

/// <summary>Backends and configs for tests: CPU unless a test asks otherwise.</summary>
internal static class Backends
{
    /// <summary>Stands in for a CUDA provider that loads: appends nothing, so the session still runs on the CPU.</summary>
    public static readonly CudaProviderAppender CudaLoads = static (_, _) => { };

    /// <summary>
    /// Stands in for a machine without CUDA libraries: the same exception type ORT throws there, from an unknown
    /// provider name, so the outcome does not depend on the machine.
    /// </summary>
    public static readonly CudaProviderAppender CudaMissing =
        static (options, _) => options.AppendExecutionProvider("NoSuchProviderInTests", new Dictionary<string, string>());

    public static OnnxModelBackend Cpu(RecordingLogger<OnnxModelBackend>? logger = null) =>
        new(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cpu }, logger ?? new());

    public static OnnxModelBackend With(OnnxRuntimeOptions options, CudaProviderAppender appendCuda, RecordingLogger<OnnxModelBackend>? logger = null) =>
        new(options, logger ?? new(), appendCuda);

    public static ModelConfig Config(
        ExecutionKind kind = ExecutionKind.Auto,
        IReadOnlyDictionary<string, string>? parameters = null,
        IReadOnlyList<int>? gpus = null) =>
        new()
        {
            Name = "model",
            InstanceGroups = [new InstanceGroup(1, kind, gpus ?? [])],
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
