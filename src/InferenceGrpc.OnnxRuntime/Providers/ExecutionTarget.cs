using System.Globalization;
using InferenceGrpc.OnnxRuntime.Execution;

namespace InferenceGrpc.OnnxRuntime.Providers;

/// <summary>Where a session runs: the CPU, or one CUDA device.</summary>
internal readonly record struct ExecutionTarget(bool IsCuda, int DeviceId)
{
    public static ExecutionTarget Cpu => default;

    public static ExecutionTarget Cuda(int deviceId) => new(true, deviceId);

    /// <summary>"CPU" or "CUDA:0", as the runner reports it.</summary>
    public string Device => IsCuda ? string.Create(CultureInfo.InvariantCulture, $"CUDA:{DeviceId}") : "CPU";

    /// <summary>
    /// How the runner hands tensors to ORT: on CUDA through an IOBinding, so outputs are bound to host memory and
    /// come back in one copy each; on the CPU the plain Run, which needs no copy at all.
    /// </summary>
    public RunBinding Binding => IsCuda ? RunBinding.IoBinding : RunBinding.OrtValues;
}
