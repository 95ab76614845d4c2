namespace InferenceGrpc.Client.Tests;

public sealed class InferDatatypeTests
{
    [Fact]
    public void For_EachSupportedType_MapsToProtocolName()
    {
        Assert.Equal("BOOL", InferDatatype.For<bool>());
        Assert.Equal("UINT8", InferDatatype.For<byte>());
        Assert.Equal("UINT16", InferDatatype.For<ushort>());
        Assert.Equal("UINT32", InferDatatype.For<uint>());
        Assert.Equal("UINT64", InferDatatype.For<ulong>());
        Assert.Equal("INT8", InferDatatype.For<sbyte>());
        Assert.Equal("INT16", InferDatatype.For<short>());
        Assert.Equal("INT32", InferDatatype.For<int>());
        Assert.Equal("INT64", InferDatatype.For<long>());
        Assert.Equal("FP16", InferDatatype.For<Half>());
        Assert.Equal("FP32", InferDatatype.For<float>());
        Assert.Equal("FP64", InferDatatype.For<double>());
    }

    [Fact]
    public void For_EnumType_ThrowsEvenWithPrimitiveUnderlyingType()
    {
        Assert.Throws<NotSupportedException>(() => InferDatatype.For<DayOfWeek>());
    }

    [Fact]
    public void GetElementSize_EveryDatatype_MatchesWireRules()
    {
        var sizes = InferDatatype.All.ToDictionary(d => d, InferDatatype.GetElementSize);

        Assert.Equal(14, sizes.Count);
        Assert.Equal(1, sizes["BOOL"]);
        Assert.Equal(2, sizes["FP16"]);
        Assert.Equal(2, sizes["BF16"]);
        Assert.Equal(8, sizes["UINT64"]);
        Assert.Equal(0, sizes["BYTES"]);
    }

    [Fact]
    public void GetElementSize_UnknownName_Throws()
    {
        Assert.Throws<ArgumentException>(() => InferDatatype.GetElementSize("FLOAT"));
        Assert.False(InferDatatype.IsKnown("fp32"));
    }
}
