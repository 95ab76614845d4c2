using InferenceGrpc.Core.Tensors;
using InferenceGrpc.OnnxRuntime.Metadata;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace InferenceGrpc.OnnxRuntime.Tests.Metadata;

public sealed class OnnxElementTypesTests
{
    [Fact]
    public void EveryDataType_RoundTripsThroughOrt()
    {
        foreach (var type in DataTypes.All)
        {
            Assert.True(OnnxElementTypes.TryToDataType(OnnxElementTypes.ToElementType(type), out var back), type.ToString());
            Assert.Equal(type, back);
        }
    }

    [Theory]
    [InlineData(TensorElementType.Complex64)]
    [InlineData(TensorElementType.Complex128)]
    [InlineData(TensorElementType.DataTypeMax)]
    public void TypesWithoutAProtocolName_AreRefused(TensorElementType type)
    {
        Assert.False(OnnxElementTypes.TryToDataType(type, out var dataType));
        Assert.Equal(DataType.Invalid, dataType);
    }
}
