using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using InferenceGrpc.Cli.Inputs;
using InferenceGrpc.Client;

namespace InferenceGrpc.Cli.Batch;

/// <summary>
/// CSV fields to wire bytes of a datatype: numbers in invariant culture; floats also take NaN, Infinity and
/// -Infinity, and an empty field is NaN (as pandas writes a missing value); BOOL takes true/false/1/0;
/// BYTES takes the field's text as UTF-8.
/// </summary>
internal static class CsvValues
{
    private const NumberStyles Integer = NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite;
    private const NumberStyles Real = NumberStyles.Float;

    /// <exception cref="FormatException">A field that is not a value of <paramref name="datatype"/>; the message names it.</exception>
    public static byte[] Encode(string datatype, ReadOnlySpan<string> fields, ReadOnlySpan<string> columns)
    {
        if (datatype == InferDatatype.Bytes)
        {
            var total = 0;
            foreach (var field in fields)
            {
                total += sizeof(uint) + Encoding.UTF8.GetByteCount(field);
            }

            var bytes = new byte[total];
            var offset = 0;
            foreach (var field in fields)
            {
                var length = Encoding.UTF8.GetBytes(field, bytes.AsSpan(offset + sizeof(uint)));
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(offset), (uint)length);
                offset += sizeof(uint) + length;
            }

            return bytes;
        }

        var size = InferDatatype.GetElementSize(datatype);
        var buffer = new byte[fields.Length * size];
        for (var i = 0; i < fields.Length; i++)
        {
            if (!TryWrite(datatype, fields[i].Trim(), buffer.AsSpan(i * size, size)))
            {
                throw new FormatException($"column '{columns[i]}' holds '{Shorten(fields[i])}', which is not a {datatype} value");
            }
        }

        return buffer;
    }

    private static bool TryWrite(string datatype, string text, Span<byte> slot)
    {
        var c = CultureInfo.InvariantCulture;
        switch (datatype)
        {
            case InferDatatype.Bool:
                if (text is "1" || text.Equals("true", StringComparison.OrdinalIgnoreCase))
                {
                    slot[0] = 1;
                    return true;
                }

                slot[0] = 0;
                return text is "0" || text.Equals("false", StringComparison.OrdinalIgnoreCase);
            case InferDatatype.UInt8:
                return TryInteger<byte>(text, slot);
            case InferDatatype.Int8:
                return TryInteger<sbyte>(text, slot);
            case InferDatatype.UInt16:
                return TryInteger<ushort>(text, slot);
            case InferDatatype.Int16:
                return TryInteger<short>(text, slot);
            case InferDatatype.UInt32:
                return TryInteger<uint>(text, slot);
            case InferDatatype.Int32:
                return TryInteger<int>(text, slot);
            case InferDatatype.UInt64:
                return TryInteger<ulong>(text, slot);
            case InferDatatype.Int64:
                return TryInteger<long>(text, slot);
            case InferDatatype.Fp16:
                return TryReal(text, out var h) && BinaryPrimitives.TryWriteHalfLittleEndian(slot, (Half)h);
            case InferDatatype.Bf16:
                return TryReal(text, out var b) && BinaryPrimitives.TryWriteUInt16LittleEndian(slot, BFloat16.FromSingle((float)b));
            case InferDatatype.Fp32:
                // Parsed as float, not narrowed from double: rounding twice can miss the nearest float.
                var single = text.Length == 0 ? float.NaN : 0f;
                return (text.Length == 0 || float.TryParse(text, Real, c, out single)) && BinaryPrimitives.TryWriteSingleLittleEndian(slot, single);
            case InferDatatype.Fp64:
                return TryReal(text, out var d) && BinaryPrimitives.TryWriteDoubleLittleEndian(slot, d);
            default:
                return false;
        }
    }

    private static bool TryInteger<T>(string text, Span<byte> slot) where T : IBinaryInteger<T> =>
        T.TryParse(text, Integer, CultureInfo.InvariantCulture, out var value) && value.TryWriteLittleEndian(slot, out _);

    private static bool TryReal(string text, out double value)
    {
        if (text.Length == 0)
        {
            value = double.NaN;
            return true;
        }

        return double.TryParse(text, Real, CultureInfo.InvariantCulture, out value);
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "...";
}
