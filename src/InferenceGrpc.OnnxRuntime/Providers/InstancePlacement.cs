using InferenceGrpc.Core.Models;

namespace InferenceGrpc.OnnxRuntime.Providers;

/// <summary>Which CUDA device each instance of a model version runs on.</summary>
internal static class InstancePlacement
{
    /// <summary>
    /// The device of instance <paramref name="instance"/> (0-based, numbered through the groups in order): its
    /// group's GPUs taken round-robin, so a group of 4 on gpus [0, 1] places 0, 1, 0, 1; a group that names no GPU
    /// uses <paramref name="defaultDeviceId"/>.
    /// </summary>
    /// <remarks>Precondition: 0 &lt;= <paramref name="instance"/> &lt; the groups' total count; beyond it, the default.</remarks>
    public static int DeviceId(IReadOnlyList<InstanceGroup> groups, int instance, int defaultDeviceId)
    {
        foreach (var group in groups)
        {
            if (instance < group.Count)
            {
                return group.Gpus.Count == 0 ? defaultDeviceId : group.Gpus[instance % group.Gpus.Count];
            }

            instance -= group.Count;
        }

        return defaultDeviceId;
    }
}
