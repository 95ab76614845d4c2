using System.Globalization;
using InferenceGrpc.Core.Models;

namespace InferenceGrpc.OnnxRuntime.Sessions;

/// <summary>The thread counts of one model's session; 0 leaves ONNX Runtime's default.</summary>
internal readonly record struct SessionThreading(int IntraOpThreads, int InterOpThreads)
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
                $"parameter '{name}' must be an integer from 0 (ONNX Runtime's default) to {MaxThreads}, not '{text}'");
        }

        return value;
    }
}
