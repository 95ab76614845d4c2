using System.Buffers.Binary;
namespace InferenceGrpc.Core.Tensors;

/// <summary>
/// Reads elements of a raw little-endian numeric tensor as doubles, whatever the datatype: the one currency of drift
/// statistics, prediction capture and shadow comparison.
/// </summary>
public static class NumericElements
{
    /// <summary>True for the datatypes <see cref="Read"/> reads (every numeric type and BOOL, as 0 or 1; not BYTES).</summary>
    public static bool IsNumeric(DataType type) => type is not (DataType.Bytes or DataType.Invalid);

    /// <summary>
    /// Copies the elements at <paramref name="start"/> + each of <paramref name="positions"/> into
    /// <paramref name="destination"/>: the request path's copy of a sampled row, with FP32 (the common case) read
    /// straight from the reinterpreted span rather than element by element through the type switch.
    /// </summary>
    public static void Gather(DataType type, ReadOnlySpan<byte> data, int start, ReadOnlySpan<int> positions, Span<double> destination)
    {
        if (type == DataType.Fp32)
        {
            var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(data)[start..];
            for (var i = 0; i < positions.Length; i++)
            {
                destination[i] = floats[positions[i]];
            }

            return;
        }

        for (var i = 0; i < positions.Length; i++)
        {
            destination[i] = Read(type, data, start + positions[i]);
        }
    }

    /// <summary>Element <paramref name="index"/> of <paramref name="data"/>. Precondition: the type is numeric and the index in range.</summary>
    public static double Read(DataType type, ReadOnlySpan<byte> data, int index) => type switch
    {
        DataType.Fp32 => BinaryPrimitives.ReadSingleLittleEndian(data[(index * 4)..]),
        DataType.Fp64 => BinaryPrimitives.ReadDoubleLittleEndian(data[(index * 8)..]),
        DataType.Fp16 => (double)BinaryPrimitives.ReadHalfLittleEndian(data[(index * 2)..]),
        DataType.Bf16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(data[(index * 2)..]) << 16),
        DataType.Bool => data[index] != 0 ? 1 : 0,
        DataType.UInt8 => data[index],
        DataType.Int8 => (sbyte)data[index],
        DataType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(data[(index * 2)..]),
        DataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(data[(index * 2)..]),
        DataType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(data[(index * 4)..]),
        DataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(data[(index * 4)..]),
        DataType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(data[(index * 8)..]),
        DataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(data[(index * 8)..]),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a numeric datatype."),
    };

    /// <summary>Elements in a raw numeric buffer of <paramref name="byteLength"/> bytes.</summary>
    public static int Count(DataType type, int byteLength) => byteLength / type.ElementSize();
}
