using System.Globalization;

namespace InferenceGrpc.OnnxRuntime.Providers;

/// <summary>
/// The CUDA execution provider options of one instance's session, as the key/value pairs of
/// <c>OrtCUDAProviderOptions.UpdateOptions</c>. Each session gets its own provider, and so its own compute stream
/// and memory arena; these settings are about several such instances sharing one GPU.
/// </summary>
internal readonly record struct CudaProviderSettings(int DeviceId)
{
    public Dictionary<string, string> ToProviderOptions() => new(StringComparer.Ordinal)
    {
        ["device_id"] = DeviceId.ToString(CultureInfo.InvariantCulture),

        // Copies on their own streams rather than the session's compute stream, so copies can overlap kernels. ORT's
        // documentation warns this may race in some models (issue 4829), so the GPU check compares CUDA outputs,
        // under concurrency, with the CPU's (docs/GPU.md).
        ["do_copy_in_default_stream"] = "0",

        // Let cuDNN pick the fastest convolution algorithm even when it needs a large workspace (ORT's default since
        // 1.14, stated so the choice is visible).
        ["cudnn_conv_use_max_workspace"] = "1",

        // Grow each session's arena by what a run asks for, not to the next power of two: with N arenas per GPU,
        // doubling would strand up to half of each.
        ["arena_extend_strategy"] = "kSameAsRequested",
    };
}
