using Grpc.Core;
using Inference;
using InferenceGrpc.Server.Tests.Infrastructure;

namespace InferenceGrpc.Server.Tests.Services;

[Collection(ServerCollection.Name)]
public sealed class MetadataRpcTests(ServerFixture fixture)
{
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = fixture.Client;

    [Fact]
    public async Task ServerMetadata_Always_ReturnsNameVersionAndExtensions()
    {
        var response = await _client.ServerMetadataAsync(new ServerMetadataRequest());

        Assert.Equal("inferencegrpc", response.Name);
        Assert.False(string.IsNullOrWhiteSpace(response.Version));
        Assert.Contains("model_configuration", response.Extensions);
    }

    [Theory]
    [MemberData(nameof(Datatypes.Names), MemberType = typeof(Datatypes))]
    public async Task ModelMetadata_IdentityModel_ReturnsTensorsWithBatchDimension(string datatype)
    {
        var model = ModelNames.Identity(datatype);

        var response = await _client.ModelMetadataAsync(new ModelMetadataRequest { Name = model });

        Assert.Equal(model, response.Name);
        Assert.Equal("onnxruntime_onnx", response.Platform);
        Assert.Equal(["1"], response.Versions);
        var input = Assert.Single(response.Inputs);
        Assert.Equal("INPUT0", input.Name);
        Assert.Equal(datatype, input.Datatype);
        Assert.Equal([-1L, 4L], input.Shape);
        var output = Assert.Single(response.Outputs);
        Assert.Equal("OUTPUT0", output.Name);
        Assert.Equal(datatype, output.Datatype);
        Assert.Equal([-1L, 4L], output.Shape);
    }

    [Fact]
    public async Task ModelMetadata_AddSubModel_ReturnsBothInputsAndOutputsInGraphOrder()
    {
        var response = await _client.ModelMetadataAsync(new ModelMetadataRequest { Name = ModelNames.Simple });

        Assert.Equal(["INPUT0", "INPUT1"], response.Inputs.Select(i => i.Name));
        Assert.Equal(["OUTPUT0", "OUTPUT1"], response.Outputs.Select(o => o.Name));
        Assert.All(response.Inputs.Concat(response.Outputs), t => Assert.Equal([-1L, 16L], t.Shape));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("2")]
    public async Task ModelMetadata_ModelWithTwoVersions_ListsBothVersions(string version)
    {
        var response = await _client.ModelMetadataAsync(new ModelMetadataRequest { Name = ModelNames.Scale, Version = version });

        Assert.Equal(["1", "2"], response.Versions);
    }

    [Fact]
    public async Task ModelMetadata_NonBatchingModel_ReturnsFixedShape()
    {
        var response = await _client.ModelMetadataAsync(new ModelMetadataRequest { Name = ModelNames.NoBatch });

        Assert.Equal([2L, 3L], Assert.Single(response.Inputs).Shape);
    }

    [Fact]
    public async Task ModelMetadata_TextDirection_ReturnsBundledSignature()
    {
        var response = await _client.ModelMetadataAsync(new ModelMetadataRequest { Name = ModelNames.TextDirection });

        var input = Assert.Single(response.Inputs);
        Assert.Equal("x", input.Name);
        Assert.Equal("FP32", input.Datatype);
        Assert.Equal([-1L, 3L, 48L, 192L], input.Shape);
        var output = Assert.Single(response.Outputs);
        Assert.Equal("softmax_0.tmp_0", output.Name);
        Assert.Equal([-1L, 2L], output.Shape);
    }

    [Fact]
    public async Task ModelMetadata_UnknownModel_ThrowsNotFound()
    {
        await RpcAssert.FailsAsync(StatusCode.NotFound,
            _client.ModelMetadataAsync(new ModelMetadataRequest { Name = "no_such_model" }), "no_such_model");
    }

    [Theory]
    [InlineData("3")]
    [InlineData("abc")]
    public async Task ModelMetadata_UnknownVersion_ThrowsNotFound(string version)
    {
        await RpcAssert.FailsAsync(StatusCode.NotFound,
            _client.ModelMetadataAsync(new ModelMetadataRequest { Name = ModelNames.Scale, Version = version }), ModelNames.Scale, version);
    }

    [Theory]
    [InlineData(ModelNames.Broken)]
    [InlineData(ModelNames.BadConfig)]
    public async Task ModelMetadata_UnavailableModel_ThrowsUnavailable(string model)
    {
        await RpcAssert.FailsAsync(StatusCode.Unavailable,
            _client.ModelMetadataAsync(new ModelMetadataRequest { Name = model }), model);
    }
}
