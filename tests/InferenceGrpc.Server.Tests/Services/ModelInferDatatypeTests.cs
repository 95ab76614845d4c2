using Grpc.Core;
using Inference;
using InferenceGrpc.Server.Tests.Infrastructure;

namespace InferenceGrpc.Server.Tests.Services;

/// <summary>Every protocol datatype through an identity model: raw and typed inputs, exact bytes out.</summary>
[Collection(ServerCollection.Name)]
public sealed class ModelInferDatatypeTests(ServerFixture fixture)
{
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = fixture.Client;

    [Theory]
    [MemberData(nameof(Datatypes.Names), MemberType = typeof(Datatypes))]
    public async Task ModelInfer_RawInputOfEachDatatype_ReturnsSameBytes(string datatype)
    {
        var sample = Datatypes.Get(datatype);
        var model = ModelNames.Identity(datatype);
        var request = Requests.For(model, id: "raw-" + datatype).WithRaw("INPUT0", datatype, Datatypes.Shape, sample.Raw);

        var response = await _client.ModelInferAsync(request);

        Assert.Equal(model, response.ModelName);
        Assert.Equal("1", response.ModelVersion);
        Assert.Equal("raw-" + datatype, response.Id);
        var output = Assert.Single(response.Outputs);
        Assert.Equal("OUTPUT0", output.Name);
        Assert.Equal(datatype, output.Datatype);
        Assert.Equal(Datatypes.Shape, output.Shape);
        Assert.Equal(sample.Raw, Assert.Single(response.RawOutputContents).ToByteArray());
    }

    [Theory]
    [MemberData(nameof(Datatypes.TypedNames), MemberType = typeof(Datatypes))]
    public async Task ModelInfer_TypedContentsOfEachDatatype_ReturnsRawLayoutOfSameValues(string datatype)
    {
        var sample = Datatypes.Get(datatype);
        var request = Requests.For(ModelNames.Identity(datatype), id: "typed-" + datatype)
            .WithTyped("INPUT0", datatype, Datatypes.Shape, sample.Typed!.Clone());

        var response = await _client.ModelInferAsync(request);

        Assert.Equal("typed-" + datatype, response.Id);
        Assert.Equal(datatype, Assert.Single(response.Outputs).Datatype);
        Assert.Equal(sample.Raw, Assert.Single(response.RawOutputContents).ToByteArray());
    }

    [Theory]
    [InlineData("FP16")]
    [InlineData("BF16")]
    public async Task ModelInfer_TypedContentsForHalfPrecision_ThrowsInvalidArgument(string datatype)
    {
        var contents = new InferTensorContents();
        contents.Fp32Contents.Add(Requests.Sequence(Datatypes.Elements, 0.5f));
        var request = Requests.For(ModelNames.Identity(datatype)).WithTyped("INPUT0", datatype, Datatypes.Shape, contents);

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, _client.ModelInferAsync(request), ModelNames.Identity(datatype), "INPUT0");
    }

    [Theory]
    [InlineData("INT8", 128)]
    [InlineData("INT8", -129)]
    [InlineData("INT16", 32_768)]
    [InlineData("INT16", -32_769)]
    public async Task ModelInfer_IntContentsOutOfRange_ThrowsInvalidArgument(string datatype, int value)
    {
        var contents = new InferTensorContents();
        contents.IntContents.Add(Enumerable.Repeat(0, Datatypes.Elements - 1).Append(value));
        var request = Requests.For(ModelNames.Identity(datatype)).WithTyped("INPUT0", datatype, Datatypes.Shape, contents);

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, _client.ModelInferAsync(request), "INPUT0");
    }

    [Theory]
    [InlineData("UINT8", 256u)]
    [InlineData("UINT16", 65_536u)]
    public async Task ModelInfer_UintContentsOutOfRange_ThrowsInvalidArgument(string datatype, uint value)
    {
        var contents = new InferTensorContents();
        contents.UintContents.Add(Enumerable.Repeat(0u, Datatypes.Elements - 1).Append(value));
        var request = Requests.For(ModelNames.Identity(datatype)).WithTyped("INPUT0", datatype, Datatypes.Shape, contents);

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, _client.ModelInferAsync(request), "INPUT0");
    }

    [Theory]
    [InlineData("INT32", "INT64")]
    [InlineData("INT64", "INT32")]
    [InlineData("UINT32", "INT32")]
    [InlineData("FP32", "FP64")]
    [InlineData("FP64", "FP32")]
    [InlineData("BOOL", "UINT8")]
    [InlineData("BYTES", "INT32")]
    public async Task ModelInfer_ContentsInAnotherDatatypesField_ThrowsInvalidArgument(string datatype, string contentsOf)
    {
        // The data of contentsOf's field, sent for an input of datatype.
        var request = Requests.For(ModelNames.Identity(datatype))
            .WithTyped("INPUT0", datatype, Datatypes.Shape, Datatypes.Get(contentsOf).Typed!.Clone());

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, _client.ModelInferAsync(request), ModelNames.Identity(datatype), "INPUT0");
    }

    [Fact]
    public async Task ModelInfer_TypedContentsInTwoFields_ThrowsInvalidArgument()
    {
        var contents = Datatypes.Get("FP32").Typed!.Clone();
        contents.Fp64Contents.Add(1.0);
        var request = Requests.For(ModelNames.Identity("FP32")).WithTyped("INPUT0", "FP32", Datatypes.Shape, contents);

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, _client.ModelInferAsync(request), "INPUT0");
    }

    [Fact]
    public async Task ModelInfer_TypedContentsWithWrongElementCount_ThrowsInvalidArgument()
    {
        var contents = new InferTensorContents();
        contents.Fp32Contents.Add(Requests.Sequence(Datatypes.Elements - 1, 1f));
        var request = Requests.For(ModelNames.Identity("FP32")).WithTyped("INPUT0", "FP32", Datatypes.Shape, contents);

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, _client.ModelInferAsync(request), "INPUT0");
    }

    [Fact]
    public async Task ModelInfer_BytesElementNotUtf8_ThrowsInvalidArgument()
    {
        var data = Datatypes.EncodeBytes([[0x61], [0xFF, 0xFE], [0x62], [0x63]]);
        var request = Requests.For(ModelNames.Identity("BYTES")).WithRaw("INPUT0", "BYTES", [1, 4], data);

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, _client.ModelInferAsync(request), ModelNames.Identity("BYTES"), "INPUT0");
    }

    [Fact]
    public async Task ModelInfer_BytesOfEmptyStrings_ReturnsEmptyStrings()
    {
        var data = Datatypes.EncodeBytes(Enumerable.Repeat(Array.Empty<byte>(), 4));
        var request = Requests.For(ModelNames.Identity("BYTES")).WithRaw("INPUT0", "BYTES", [1, 4], data);

        var response = await _client.ModelInferAsync(request);

        Assert.Equal(data, Assert.Single(response.RawOutputContents).ToByteArray());
    }
}
