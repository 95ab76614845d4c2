using System.Buffers.Binary;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Monitoring;

/// <summary>Reads elements of a raw little-endian tensor as numbers, whatever the numeric datatype.</summary>
internal static class TensorElements
{
    /// <summary>True for the datatypes <see cref="ToDouble"/> reads (every type but BYTES).</summary>
    public static bool IsNumeric(DataType type) => type is not (DataType.Bytes or DataType.Invalid);

    /// <summary>Element <paramref name="index"/> of <paramref name="data"/> as a double (BOOL: 0 or 1).</summary>
    public static double ToDouble(DataType type, ReadOnlySpan<byte> data, int index) => type switch
    {
        DataType.Bool => data[index] != 0 ? 1 : 0,
        DataType.UInt8 => data[index],
        DataType.Int8 => (sbyte)data[index],
        DataType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(data[(index * 2)..]),
        DataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(data[(index * 2)..]),
        DataType.Fp16 => (double)BinaryPrimitives.ReadHalfLittleEndian(data[(index * 2)..]),
        // BF16 is the upper half of an FP32: widen by shifting the bits back into place.
        DataType.Bf16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(data[(index * 2)..]) << 16),
        DataType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(data[(index * 4)..]),
        DataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(data[(index * 4)..]),
        DataType.Fp32 => BinaryPrimitives.ReadSingleLittleEndian(data[(index * 4)..]),
        DataType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(data[(index * 8)..]),
        DataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(data[(index * 8)..]),
        DataType.Fp64 => BinaryPrimitives.ReadDoubleLittleEndian(data[(index * 8)..]),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a numeric datatype."),
    };

    /// <summary>Elements in a raw numeric buffer.</summary>
    public static int Count(DataType type, int byteLength) => byteLength / type.ElementSize();
}
