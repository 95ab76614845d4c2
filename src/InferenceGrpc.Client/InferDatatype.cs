namespace InferenceGrpc.Client;

/// <summary>
/// Open Inference Protocol datatype names and their wire sizes.
/// </summary>
public static class InferDatatype
{
    public const string Bool = "BOOL";
    public const string UInt8 = "UINT8";
    public const string UInt16 = "UINT16";
    public const string UInt32 = "UINT32";
    public const string UInt64 = "UINT64";
    public const string Int8 = "INT8";
    public const string Int16 = "INT16";
    public const string Int32 = "INT32";
    public const string Int64 = "INT64";
    public const string Fp16 = "FP16";
    public const string Bf16 = "BF16";
    public const string Fp32 = "FP32";
    public const string Fp64 = "FP64";
    public const string Bytes = "BYTES";

    /// <summary>Every datatype name the protocol defines.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Bool, UInt8, UInt16, UInt32, UInt64, Int8, Int16, Int32, Int64, Fp16, Bf16, Fp32, Fp64, Bytes];

    /// <summary>Whether <paramref name="datatype"/> is one of the protocol's names (case-sensitive, as on the wire).</summary>
    public static bool IsKnown(string datatype) => TryGetElementSize(datatype, out _);

    /// <summary>
    /// Bytes per element in raw contents: 1 for BOOL, 2 for FP16/BF16, and so on; 0 for BYTES,
    /// whose elements are variable length (4-byte little-endian length, then the bytes).
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a protocol datatype.</exception>
    public static int GetElementSize(string datatype) =>
        TryGetElementSize(datatype, out var size)
            ? size
            : throw new ArgumentException($"Unknown datatype '{datatype}'; expected one of {string.Join(", ", All)}.", nameof(datatype));

    /// <summary>The datatype a .NET element type is sent as. BF16 has no .NET type: send it with raw bytes.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> has no protocol datatype.</exception>
    public static string For<T>() where T : unmanaged => ForType(typeof(T))
        ?? throw new NotSupportedException(
            $"Element type {typeof(T).Name} has no Open Inference Protocol datatype; " +
            "use bool, byte, sbyte, short, ushort, int, uint, long, ulong, Half, float or double (BF16: AddRawInput).");

    internal static string? ForType(Type type)
    {
        // Enums share their underlying TypeCode; only the primitive types themselves map.
        if (type.IsEnum)
        {
            return null;
        }

        if (type == typeof(Half))
        {
            return Fp16;
        }

        return Type.GetTypeCode(type) switch
        {
            TypeCode.Boolean => Bool,
            TypeCode.Byte => UInt8,
            TypeCode.UInt16 => UInt16,
            TypeCode.UInt32 => UInt32,
            TypeCode.UInt64 => UInt64,
            TypeCode.SByte => Int8,
            TypeCode.Int16 => Int16,
            TypeCode.Int32 => Int32,
            TypeCode.Int64 => Int64,
            TypeCode.Single => Fp32,
            TypeCode.Double => Fp64,
            _ => null,
        };
    }

    internal static bool TryGetElementSize(string datatype, out int size)
    {
        size = datatype switch
        {
            Bool or UInt8 or Int8 => 1,
            UInt16 or Int16 or Fp16 or Bf16 => 2,
            UInt32 or Int32 or Fp32 => 4,
            UInt64 or Int64 or Fp64 => 8,
            Bytes => 0,
            _ => -1,
        };
        return size >= 0;
    }
}
