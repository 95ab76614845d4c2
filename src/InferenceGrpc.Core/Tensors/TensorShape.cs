using System.Text;

namespace InferenceGrpc.Core.Tensors;

/// <summary>Shape arithmetic shared by validation and the backends. A dimension of -1 means "any size".</summary>
public static class TensorShape
{
    public const long Dynamic = -1;

    /// <summary>
    /// The element count of a concrete shape; false when a dimension is negative or the product overflows a long.
    /// The empty shape is a scalar (one element).
    /// </summary>
    public static bool TryGetVolume(ReadOnlySpan<long> shape, out long volume)
    {
        volume = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                volume = 0;
                return false;
            }

            try
            {
                volume = checked(volume * dim);
            }
            catch (OverflowException)
            {
                volume = 0;
                return false;
            }
        }

        return true;
    }

    /// <summary>True when <paramref name="actual"/> fits <paramref name="pattern"/> (same rank, -1 matches any size).</summary>
    public static bool Matches(ReadOnlySpan<long> pattern, ReadOnlySpan<long> actual)
    {
        if (pattern.Length != actual.Length)
        {
            return false;
        }

        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] != Dynamic && pattern[i] != actual[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>"[-1,3,48,192]", the way the protocol's error messages print shapes.</summary>
    public static string Format(ReadOnlySpan<long> shape)
    {
        var text = new StringBuilder("[");
        for (var i = 0; i < shape.Length; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            text.Append(shape[i]);
        }

        return text.Append(']').ToString();
    }
}
