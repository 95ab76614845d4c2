using InferenceGrpc.Core.Tensors;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace InferenceGrpc.OnnxRuntime.Metadata;

/// <summary>Maps ONNX tensor element types to the protocol's datatypes and back. The raw layouts agree byte for byte.</summary>
internal static class OnnxElementTypes
{
    /// <summary>False for types the protocol cannot carry (complex, float8, int4, ...).</summary>
    public static bool TryToDataType(TensorElementType type, out DataType dataType)
    {
        dataType = type switch
        {
            TensorElementType.Float => DataType.Fp32,
            TensorElementType.Double => DataType.Fp64,
            TensorElementType.Float16 => DataType.Fp16,
            TensorElementType.BFloat16 => DataType.Bf16,
            TensorElementType.Bool => DataType.Bool,
            TensorElementType.String => DataType.Bytes,
            TensorElementType.Int8 => DataType.Int8,
            TensorElementType.Int16 => DataType.Int16,
            TensorElementType.Int32 => DataType.Int32,
            TensorElementType.Int64 => DataType.Int64,
            TensorElementType.UInt8 => DataType.UInt8,
            TensorElementType.UInt16 => DataType.UInt16,
            TensorElementType.UInt32 => DataType.UInt32,
            TensorElementType.UInt64 => DataType.UInt64,
            _ => DataType.Invalid,
        };
        return dataType != DataType.Invalid;
    }

    public static TensorElementType ToElementType(DataType dataType) => dataType switch
    {
        DataType.Fp32 => TensorElementType.Float,
        DataType.Fp64 => TensorElementType.Double,
        DataType.Fp16 => TensorElementType.Float16,
        DataType.Bf16 => TensorElementType.BFloat16,
        DataType.Bool => TensorElementType.Bool,
        DataType.Bytes => TensorElementType.String,
        DataType.Int8 => TensorElementType.Int8,
        DataType.Int16 => TensorElementType.Int16,
        DataType.Int32 => TensorElementType.Int32,
        DataType.Int64 => TensorElementType.Int64,
        DataType.UInt8 => TensorElementType.UInt8,
        DataType.UInt16 => TensorElementType.UInt16,
        DataType.UInt32 => TensorElementType.UInt32,
        DataType.UInt64 => TensorElementType.UInt64,
        _ => throw new ArgumentOutOfRangeException(nameof(dataType), dataType, "Not a tensor datatype."),
    };
}
