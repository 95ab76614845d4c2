using System.Globalization;
using InferenceGrpc.Core.Models;

namespace InferenceGrpc.OnnxRuntime.Sessions;

/// <summary>
/// The thread counts of one instance's session. From <see cref="Resolve"/>, 0 means "not configured"; after
/// <see cref="ForInstance"/> the intra-op count is always set, and an inter-op 0 leaves ONNX Runtime's default.
/// </summary>
internal readonly record struct SessionThreading(int IntraOpThreads, int InterOpThreads, IntraOpChoice IntraOpChoice = IntraOpChoice.Configured)
{
    /// <summary>Triton's onnxruntime backend names, so existing model configs keep their meaning.</summary>
    public const string IntraOpParameter = "intra_op_thread_count";
    public const string InterOpParameter = "inter_op_thread_count";

    /// <summary>Far above any real core count; it only stops a typo from asking ORT for a million threads.</summary>
    public const int MaxThreads = 1024;

    /// <summary>The model's parameters where it sets them, else the server-wide options.</summary>
    /// <exception cref="ModelConfigException">A parameter is not a non-negative integer.</exception>
    public static SessionThreading Resolve(IReadOnlyDictionary<string, string> parameters, OnnxRuntimeOptions defaults) =>
        new(Parse(parameters, IntraOpParameter, defaults.IntraOpThreads),
            Parse(parameters, InterOpParameter, defaults.InterOpThreads));

    /// <summary>
    /// The counts for one of <paramref name="instanceCount"/> instances. A configured intra-op count wins. Otherwise a
    /// CUDA session gets 1 (the GPU computes; more threads only spin), and a CPU session an even share of the cores,
    /// so that instances running side by side never ask for more threads than there are cores: ORT's own default (one
    /// per physical core, for every session) oversubscribes the machine N times over once N instances run at once.
    /// </summary>
    public SessionThreading ForInstance(bool onCuda, int instanceCount, int processorCount)
    {
        if (IntraOpThreads > 0)
        {
            return this with { IntraOpChoice = IntraOpChoice.Configured };
        }

        return onCuda
            ? this with { IntraOpThreads = 1, IntraOpChoice = IntraOpChoice.CudaInstance }
            : this with { IntraOpThreads = CoreShare(processorCount, instanceCount), IntraOpChoice = IntraOpChoice.CoreShare };
    }

    /// <summary>max(1, cores / instances): at least one thread, even with more instances than cores.</summary>
    public static int CoreShare(int processorCount, int instanceCount) =>
        Math.Max(1, processorCount / Math.Max(1, instanceCount));

    private static int Parse(IReadOnlyDictionary<string, string> parameters, string name, int fallback)
    {
        if (!parameters.TryGetValue(name, out var text))
        {
            return fallback;
        }

        const NumberStyles digitsOnly = NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite;
        if (!int.TryParse(text, digitsOnly, CultureInfo.InvariantCulture, out var value) || value > MaxThreads)
        {
            throw new ModelConfigException(
                $"parameter '{name}' must be an integer from 0 (the server's default) to {MaxThreads}, not '{text}'");
        }

        return value;
    }
}

/// <summary>Why a session got its intra-op thread count; logged with the session.</summary>
internal enum IntraOpChoice
{
    /// <summary>The model parameter <c>intra_op_thread_count</c> or the server option IntraOpThreads.</summary>
    Configured,

    /// <summary>Nothing configured, on the CPU: the cores divided by the model's instance count.</summary>
    CoreShare,

    /// <summary>Nothing configured, on CUDA: one thread per instance.</summary>
    CudaInstance,
}
