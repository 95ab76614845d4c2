using Grpc.Core;
using Inference;
using InferenceGrpc.Server.Tests.Infrastructure;

namespace InferenceGrpc.Server.Tests.Services;

[Collection(ServerCollection.Name)]
public sealed class ModelConfigRpcTests(ServerFixture fixture)
{
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = fixture.Client;

    private async Task<ModelConfig> ConfigAsync(string model, string version = "") =>
        (await _client.ModelConfigAsync(new ModelConfigRequest { Name = model, Version = version })).Config;

    [Theory]
    [MemberData(nameof(Datatypes.Names), MemberType = typeof(Datatypes))]
    public async Task ModelConfig_IdentityModelWithoutConfig_CompletesFromGraphWithDefaultMaxBatchSize(string datatype)
    {
        var model = ModelNames.Identity(datatype);
        var expectedType = Datatypes.Get(datatype).ConfigType;

        var config = await ConfigAsync(model);

        Assert.Equal(model, config.Name);
        Assert.Equal("onnxruntime_onnx", config.Platform);
        Assert.Equal(4, config.MaxBatchSize);
        var input = Assert.Single(config.Input);
        Assert.Equal("INPUT0", input.Name);
        Assert.Equal(expectedType, input.DataType);
        Assert.Equal([4L], input.Dims);
        var output = Assert.Single(config.Output);
        Assert.Equal("OUTPUT0", output.Name);
        Assert.Equal(expectedType, output.DataType);
        Assert.Equal([4L], output.Dims);
    }

    [Fact]
    public async Task ModelConfig_BytesModel_ReportsTypeString()
    {
        var config = await ConfigAsync(ModelNames.Identity("BYTES"));

        Assert.Equal(DataType.TypeString, Assert.Single(config.Input).DataType);
    }

    [Fact]
    public async Task ModelConfig_ConfiguredMaxBatchSize_ReturnsItWithDimsAfterBatch()
    {
        var config = await ConfigAsync(ModelNames.Simple);

        Assert.Equal(8, config.MaxBatchSize);
        Assert.Equal(["INPUT0", "INPUT1"], config.Input.Select(i => i.Name));
        Assert.All(config.Input, i => Assert.Equal([16L], i.Dims));
        Assert.All(config.Input, i => Assert.Equal(DataType.TypeFp32, i.DataType));
        Assert.Equal(["OUTPUT0", "OUTPUT1"], config.Output.Select(o => o.Name));
    }

    [Fact]
    public async Task ModelConfig_NonBatchingModel_ReturnsZeroMaxBatchSizeAndFullDims()
    {
        var config = await ConfigAsync(ModelNames.NoBatch);

        Assert.Equal(0, config.MaxBatchSize);
        Assert.Equal([2L, 3L], Assert.Single(config.Input).Dims);
    }

    [Fact]
    public async Task ModelConfig_TextDirection_ReturnsConfigFileValues()
    {
        var config = await ConfigAsync(ModelNames.TextDirection);

        Assert.Equal(32, config.MaxBatchSize);
        Assert.Equal([3L, 48L, 192L], Assert.Single(config.Input).Dims);
        Assert.Equal([2L], Assert.Single(config.Output).Dims);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("2")]
    public async Task ModelConfig_AllVersionsPolicy_ReturnsAllPolicy(string version)
    {
        var config = await ConfigAsync(ModelNames.Scale, version);

        Assert.Equal(ModelVersionPolicy.PolicyChoiceOneofCase.All, config.VersionPolicy.PolicyChoiceCase);
        Assert.Equal(4, config.MaxBatchSize);
    }

    [Fact]
    public async Task ModelConfig_DefaultVersionPolicy_ReturnsLatestOne()
    {
        var config = await ConfigAsync(ModelNames.Simple);

        Assert.Equal(1u, config.VersionPolicy.Latest.NumVersions);
    }

    [Fact]
    public async Task ModelConfig_UnknownModel_ThrowsNotFound()
    {
        await RpcAssert.FailsAsync(StatusCode.NotFound,
            _client.ModelConfigAsync(new ModelConfigRequest { Name = "no_such_model" }), "no_such_model");
    }

    [Theory]
    [InlineData("3")]
    [InlineData("abc")]
    [InlineData("-1")]
    public async Task ModelConfig_UnknownVersion_ThrowsNotFound(string version)
    {
        await RpcAssert.FailsAsync(StatusCode.NotFound,
            _client.ModelConfigAsync(new ModelConfigRequest { Name = ModelNames.Scale, Version = version }), ModelNames.Scale, version);
    }
}
