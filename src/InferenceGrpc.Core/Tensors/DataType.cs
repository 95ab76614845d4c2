namespace InferenceGrpc.Core.Tensors;

/// <summary>Tensor element types of the Open Inference Protocol.</summary>
/// <remarks>The numeric values are ours; the wire names (<see cref="DataTypes.ToWireName"/>) are the protocol's.</remarks>
public enum DataType
{
    Invalid = 0,
    Bool,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Int8,
    Int16,
    Int32,
    Int64,
    Fp16,
    Bf16,
    Fp32,
    Fp64,
    /// <summary>Variable-length byte strings (ONNX string tensors). Raw layout: 4-byte LE length, then the bytes.</summary>
    Bytes,
}

public static class DataTypes
{
    /// <summary>Every valid datatype, in declaration order.</summary>
    public static IReadOnlyList<DataType> All { get; } =
        Enum.GetValues<DataType>().Where(t => t != DataType.Invalid).ToArray();

    /// <summary>Bytes per element in the raw layout, or 0 for <see cref="DataType.Bytes"/> (variable length).</summary>
    public static int ElementSize(this DataType type) => type switch
    {
        DataType.Bool or DataType.UInt8 or DataType.Int8 => 1,
        DataType.UInt16 or DataType.Int16 or DataType.Fp16 or DataType.Bf16 => 2,
        DataType.UInt32 or DataType.Int32 or DataType.Fp32 => 4,
        DataType.UInt64 or DataType.Int64 or DataType.Fp64 => 8,
        DataType.Bytes => 0,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a tensor datatype."),
    };

    /// <summary>The protocol's name: "FP32", "BYTES", ...</summary>
    public static string ToWireName(this DataType type) => type switch
    {
        DataType.Bool => "BOOL",
        DataType.UInt8 => "UINT8",
        DataType.UInt16 => "UINT16",
        DataType.UInt32 => "UINT32",
        DataType.UInt64 => "UINT64",
        DataType.Int8 => "INT8",
        DataType.Int16 => "INT16",
        DataType.Int32 => "INT32",
        DataType.Int64 => "INT64",
        DataType.Fp16 => "FP16",
        DataType.Bf16 => "BF16",
        DataType.Fp32 => "FP32",
        DataType.Fp64 => "FP64",
        DataType.Bytes => "BYTES",
        _ => "INVALID",
    };

    /// <summary>Parses a wire name ("FP32"). Case-sensitive, as the protocol is.</summary>
    public static bool TryParseWireName(string? name, out DataType type)
    {
        type = name switch
        {
            "BOOL" => DataType.Bool,
            "UINT8" => DataType.UInt8,
            "UINT16" => DataType.UInt16,
            "UINT32" => DataType.UInt32,
            "UINT64" => DataType.UInt64,
            "INT8" => DataType.Int8,
            "INT16" => DataType.Int16,
            "INT32" => DataType.Int32,
            "INT64" => DataType.Int64,
            "FP16" => DataType.Fp16,
            "BF16" => DataType.Bf16,
            "FP32" => DataType.Fp32,
            "FP64" => DataType.Fp64,
            "BYTES" => DataType.Bytes,
            _ => DataType.Invalid,
        };
        return type != DataType.Invalid;
    }

    /// <summary>Model-config name, as in Triton's config: "TYPE_FP32", with "TYPE_STRING" for BYTES.</summary>
    public static string ToConfigName(this DataType type) =>
        type == DataType.Bytes ? "TYPE_STRING" : "TYPE_" + type.ToWireName();

    public static bool TryParseConfigName(string? name, out DataType type)
    {
        type = DataType.Invalid;
        if (name is null || !name.StartsWith("TYPE_", StringComparison.Ordinal))
        {
            return false;
        }

        var bare = name["TYPE_".Length..];
        if (bare == "STRING")
        {
            type = DataType.Bytes;
            return true;
        }

        return bare != "BYTES" && TryParseWireName(bare, out type);
    }
}
