namespace InferenceGrpc.Cli.Inputs;

/// <summary>
/// bfloat16 is the top half of an IEEE float32; .NET has no type for it, so the CLI converts by bits.
/// </summary>
internal static class BFloat16
{
    public static float ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>Round to nearest, ties to even (as PyTorch and ml_dtypes do); NaN stays NaN.</summary>
    public static ushort FromSingle(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            // Keep the sign and force a quiet-NaN mantissa bit so truncation cannot yield infinity.
            return (ushort)((bits >> 16) | 0x0040);
        }

        var roundingBias = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }
}
