using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf.Collections;
using Inference;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Tensors;
using DataType = InferenceGrpc.Core.Tensors.DataType;

namespace InferenceGrpc.Server.Protocol;

/// <summary>
/// Converts typed <c>contents</c> (the protocol's repeated fields) into the raw little-endian layout Core works on.
/// Each datatype has exactly one field, as in the protocol: INT8/16/32 in int_contents, UINT8/16/32 in
/// uint_contents, and so on; FP16 and BF16 travel raw only.
/// </summary>
internal static class TypedContents
{
    public static bool HasAny(InferTensorContents? c) =>
        c is not null &&
        (c.BoolContents.Count | c.IntContents.Count | c.Int64Contents.Count | c.UintContents.Count |
         c.Uint64Contents.Count | c.Fp32Contents.Count | c.Fp64Contents.Count | c.BytesContents.Count) != 0;

    /// <summary>
    /// The elements and the raw bytes that <paramref name="c"/> would convert to, without converting: every populated
    /// field counts, so a stray field cannot slip past the limits.
    /// </summary>
    public static (long Elements, long Bytes) Measure(DataType type, InferTensorContents c)
    {
        long elements = (long)c.BoolContents.Count + c.IntContents.Count + c.Int64Contents.Count + c.UintContents.Count +
                        c.Uint64Contents.Count + c.Fp32Contents.Count + c.Fp64Contents.Count + c.BytesContents.Count;
        if (type != DataType.Bytes)
        {
            return (elements, elements * type.ElementSize());
        }

        var bytes = 0L;
        foreach (var b in c.BytesContents)
        {
            bytes += 4L + b.Length;
        }

        return (elements, bytes);
    }

    public static byte[] ToRaw(string model, string input, DataType type, InferTensorContents c)
    {
        var field = FieldFor(type);
        if (field is null)
        {
            InferenceException.ThrowInputInvalid(model, input,
                $"datatype {type.ToWireName()} has no typed contents field; send it in raw_input_contents");
        }

        var stray = PopulatedFields(c).FirstOrDefault(f => f != field);
        if (stray is not null)
        {
            InferenceException.ThrowInputInvalid(model, input,
                $"datatype {type.ToWireName()} carries its data in {field}, but {stray} was given");
        }

        return type switch
        {
            DataType.Bool => c.BoolContents.Select(b => b ? (byte)1 : (byte)0).ToArray(),
            DataType.Int8 => Narrow(model, input, type, c.IntContents, sbyte.MinValue, sbyte.MaxValue, 1, static (s, v) => s[0] = (byte)(sbyte)v),
            DataType.Int16 => Narrow(model, input, type, c.IntContents, short.MinValue, short.MaxValue, 2, static (s, v) => BinaryPrimitives.WriteInt16LittleEndian(s, (short)v)),
            DataType.Int32 => Bytes(c.IntContents),
            DataType.Int64 => Bytes(c.Int64Contents),
            DataType.UInt8 => Narrow(model, input, type, c.UintContents, byte.MinValue, byte.MaxValue, 1, static (s, v) => s[0] = (byte)v),
            DataType.UInt16 => Narrow(model, input, type, c.UintContents, ushort.MinValue, ushort.MaxValue, 2, static (s, v) => BinaryPrimitives.WriteUInt16LittleEndian(s, (ushort)v)),
            DataType.UInt32 => Bytes(c.UintContents),
            DataType.UInt64 => Bytes(c.Uint64Contents),
            DataType.Fp32 => Bytes(c.Fp32Contents),
            DataType.Fp64 => Bytes(c.Fp64Contents),
            DataType.Bytes => BytesTensor.Encode(c.BytesContents.Select(b => b.ToByteArray())),
            _ => throw new InvalidOperationException($"unhandled datatype {type}"),
        };
    }

    private static string? FieldFor(DataType type) => type switch
    {
        DataType.Bool => "bool_contents",
        DataType.Int8 or DataType.Int16 or DataType.Int32 => "int_contents",
        DataType.Int64 => "int64_contents",
        DataType.UInt8 or DataType.UInt16 or DataType.UInt32 => "uint_contents",
        DataType.UInt64 => "uint64_contents",
        DataType.Fp32 => "fp32_contents",
        DataType.Fp64 => "fp64_contents",
        DataType.Bytes => "bytes_contents",
        _ => null,
    };

    private static IEnumerable<string> PopulatedFields(InferTensorContents c)
    {
        if (c.BoolContents.Count > 0) yield return "bool_contents";
        if (c.IntContents.Count > 0) yield return "int_contents";
        if (c.Int64Contents.Count > 0) yield return "int64_contents";
        if (c.UintContents.Count > 0) yield return "uint_contents";
        if (c.Uint64Contents.Count > 0) yield return "uint64_contents";
        if (c.Fp32Contents.Count > 0) yield return "fp32_contents";
        if (c.Fp64Contents.Count > 0) yield return "fp64_contents";
        if (c.BytesContents.Count > 0) yield return "bytes_contents";
    }

    // Raw layout is little-endian; the startup check guarantees the host is too, so a reinterpret is exact.
    private static byte[] Bytes<T>(RepeatedField<T> values)
        where T : unmanaged
    {
        var array = new T[values.Count];
        values.CopyTo(array, 0);
        return MemoryMarshal.AsBytes(array.AsSpan()).ToArray();
    }

    private static byte[] Narrow<T>(string model, string input, DataType type, RepeatedField<T> values, long min, long max, int size, SpanAction write)
        where T : unmanaged, IConvertible
    {
        var bytes = new byte[values.Count * size];
        for (var i = 0; i < values.Count; i++)
        {
            var value = Convert.ToInt64(values[i], System.Globalization.CultureInfo.InvariantCulture);
            if (value < min || value > max)
            {
                InferenceException.ThrowInputInvalid(model, input,
                    $"element {i} is outside the range {min}..{max} of {type.ToWireName()} (values are never echoed)");
            }

            write(bytes.AsSpan(i * size, size), value);
        }

        return bytes;
    }

    private delegate void SpanAction(Span<byte> destination, long value);
}
