using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Tests.Tensors;

public sealed class DataTypesTests
{
    public static TheoryData<DataType, int> ElementSizes => new()
    {
        { DataType.Bool, 1 },
        { DataType.UInt8, 1 },
        { DataType.UInt16, 2 },
        { DataType.UInt32, 4 },
        { DataType.UInt64, 8 },
        { DataType.Int8, 1 },
        { DataType.Int16, 2 },
        { DataType.Int32, 4 },
        { DataType.Int64, 8 },
        { DataType.Fp16, 2 },
        { DataType.Bf16, 2 },
        { DataType.Fp32, 4 },
        { DataType.Fp64, 8 },
        { DataType.Bytes, 0 },
    };

    public static TheoryData<DataType, string> WireNames => new()
    {
        { DataType.Bool, "BOOL" },
        { DataType.UInt8, "UINT8" },
        { DataType.UInt16, "UINT16" },
        { DataType.UInt32, "UINT32" },
        { DataType.UInt64, "UINT64" },
        { DataType.Int8, "INT8" },
        { DataType.Int16, "INT16" },
        { DataType.Int32, "INT32" },
        { DataType.Int64, "INT64" },
        { DataType.Fp16, "FP16" },
        { DataType.Bf16, "BF16" },
        { DataType.Fp32, "FP32" },
        { DataType.Fp64, "FP64" },
        { DataType.Bytes, "BYTES" },
    };

    public static TheoryData<DataType, string> ConfigNames => new()
    {
        { DataType.Bool, "TYPE_BOOL" },
        { DataType.UInt8, "TYPE_UINT8" },
        { DataType.UInt16, "TYPE_UINT16" },
        { DataType.UInt32, "TYPE_UINT32" },
        { DataType.UInt64, "TYPE_UINT64" },
        { DataType.Int8, "TYPE_INT8" },
        { DataType.Int16, "TYPE_INT16" },
        { DataType.Int32, "TYPE_INT32" },
        { DataType.Int64, "TYPE_INT64" },
        { DataType.Fp16, "TYPE_FP16" },
        { DataType.Bf16, "TYPE_BF16" },
        { DataType.Fp32, "TYPE_FP32" },
        { DataType.Fp64, "TYPE_FP64" },
        { DataType.Bytes, "TYPE_STRING" },
    };

    public static TheoryData<DataType> AllTypes => new(DataTypes.All);

    [Fact]
    public void All_Always_ListsEveryTypeButInvalidInDeclarationOrder()
    {
        Assert.Equal(
            [DataType.Bool, DataType.UInt8, DataType.UInt16, DataType.UInt32, DataType.UInt64, DataType.Int8, DataType.Int16,
             DataType.Int32, DataType.Int64, DataType.Fp16, DataType.Bf16, DataType.Fp32, DataType.Fp64, DataType.Bytes],
            DataTypes.All);
    }

    [Theory]
    [MemberData(nameof(ElementSizes))]
    public void ElementSize_EachType_IsItsRawWidth(DataType type, int size)
    {
        Assert.Equal(size, type.ElementSize());
    }

    [Fact]
    public void ElementSize_Invalid_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DataType.Invalid.ElementSize());
    }

    [Theory]
    [MemberData(nameof(WireNames))]
    public void ToWireName_EachType_IsTheProtocolName(DataType type, string wire)
    {
        Assert.Equal(wire, type.ToWireName());
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void TryParseWireName_WireNameOfEachType_RoundTrips(DataType type)
    {
        Assert.True(DataTypes.TryParseWireName(type.ToWireName(), out var parsed));
        Assert.Equal(type, parsed);
    }

    [Theory]
    [MemberData(nameof(ConfigNames))]
    public void ToConfigName_EachType_IsTritonsConfigName(DataType type, string config)
    {
        Assert.Equal(config, type.ToConfigName());
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void TryParseConfigName_ConfigNameOfEachType_RoundTrips(DataType type)
    {
        Assert.True(DataTypes.TryParseConfigName(type.ToConfigName(), out var parsed));
        Assert.Equal(type, parsed);
    }

    [Fact]
    public void TryParseConfigName_TypeString_IsBytes()
    {
        Assert.True(DataTypes.TryParseConfigName("TYPE_STRING", out var parsed));
        Assert.Equal(DataType.Bytes, parsed);
    }

    [Theory]
    [InlineData("fp32")]
    [InlineData("Fp32")]
    [InlineData("FLOAT")]
    [InlineData("STRING")]
    [InlineData("TYPE_FP32")]
    [InlineData("INVALID")]
    [InlineData("")]
    [InlineData(" FP32")]
    [InlineData(null)]
    public void TryParseWireName_UnknownOrMiscasedName_ReturnsFalse(string? name)
    {
        Assert.False(DataTypes.TryParseWireName(name, out var parsed));
        Assert.Equal(DataType.Invalid, parsed);
    }

    [Theory]
    [InlineData("TYPE_BYTES")]
    [InlineData("type_fp32")]
    [InlineData("TYPE_fp32")]
    [InlineData("Type_FP32")]
    [InlineData("type_string")]
    [InlineData("TYPE_FLOAT")]
    [InlineData("TYPE_INVALID")]
    [InlineData("TYPE_")]
    [InlineData("FP32")]
    [InlineData("STRING")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParseConfigName_UnknownOrMiscasedName_ReturnsFalse(string? name)
    {
        Assert.False(DataTypes.TryParseConfigName(name, out var parsed));
        Assert.Equal(DataType.Invalid, parsed);
    }
}
