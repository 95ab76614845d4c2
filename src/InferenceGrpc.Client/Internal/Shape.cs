namespace InferenceGrpc.Client.Internal;

internal static class Shape
{
    /// <summary>Element count of a shape; false for a negative dimension or a count past <see cref="long.MaxValue"/>.</summary>
    public static bool TryGetVolume(ReadOnlySpan<long> shape, out long volume)
    {
        volume = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                return false;
            }

            try
            {
                volume = checked(volume * dim);
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        return true;
    }

    public static string Format(ReadOnlySpan<long> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";
}
