using System.ComponentModel.DataAnnotations;
using Microsoft.ML.OnnxRuntime;

namespace InferenceGrpc.OnnxRuntime;

/// <summary>Server-wide ONNX Runtime settings, bound from the configuration section <see cref="SectionName"/>.</summary>
/// <remarks>A model's own config wins: its instance-group kind picks the provider, and its parameters
/// <c>intra_op_thread_count</c> / <c>inter_op_thread_count</c> replace the thread counts below.</remarks>
public sealed class OnnxRuntimeOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "OnnxRuntime";

    /// <summary>The provider for models whose instance group is KIND_AUTO. Default: <see cref="ExecutionProviderPreference.Auto"/>.</summary>
    /// <remarks>The binder accepts numbers for enums ("7", "1"): only the named values are valid.</remarks>
    [EnumDataType(typeof(ExecutionProviderPreference), ErrorMessage = "--execution-provider must be auto, cuda or cpu")]
    public ExecutionProviderPreference ExecutionProvider { get; set; } = ExecutionProviderPreference.Auto;

    /// <summary>
    /// Threads one run may use inside an operator, per instance (session). Default: 0, which gives a CPU instance an
    /// even share of the cores, max(1, cores / the model's instance count), and a CUDA instance 1.
    /// </summary>
    [Range(0, 1024)]
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// Threads that run independent operators side by side. Default: 0, ONNX Runtime's choice. ONNX Runtime uses them
    /// only in its parallel execution mode; sessions here run in its default, sequential mode.
    /// </summary>
    [Range(0, 1024)]
    public int InterOpThreads { get; set; }

    /// <summary>
    /// Let ONNX Runtime's intra-op threads spin while waiting for work. Default: false, because in a server they
    /// compete for the cores with the request path; true can win for one model alone on dedicated cores.
    /// </summary>
    public bool AllowSpinning { get; set; }

    /// <summary>Graph optimisations applied when a session is created. Default: <see cref="GraphOptimizationLevel.ORT_ENABLE_ALL"/>.</summary>
    public GraphOptimizationLevel GraphOptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>The CUDA device for instances whose instance group names no GPU. Default: 0.</summary>
    [Range(0, 1024)]
    public int DeviceId { get; set; }
}
