namespace InferenceGrpc.TestModels;

/// <summary>
/// Tensor element types a test model can use. The numeric values are the ONNX
/// <c>TensorProto.DataType</c> codes, which ONNX Runtime's <c>TensorElementType</c> also uses,
/// so a value can be cast straight to either.
/// </summary>
public enum TensorElementKind
{
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    UInt16 = 4,
    Int16 = 5,
    Int32 = 6,
    Int64 = 7,
    String = 8,
    Bool = 9,
    Float16 = 10,
    Double = 11,
    UInt32 = 12,
    UInt64 = 13,
    BFloat16 = 16,
}
