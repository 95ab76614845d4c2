namespace InferenceGrpc.Client.Internal;

internal static class LittleEndian
{
    /// <summary>
    /// The wire format is little-endian and this library copies memory as-is instead of swapping
    /// per element, so a big-endian host would send and read garbage. The JIT folds the check away.
    /// </summary>
    public static void EnsureHost()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException(
                "InferenceGrpc.Client needs a little-endian host: raw tensor contents are little-endian on the wire.");
        }
    }
}
