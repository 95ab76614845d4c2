using Inference;
using InferenceGrpc.Server.Tests.Infrastructure;

namespace InferenceGrpc.Server.Tests.Services;

[Collection(ServerCollection.Name)]
public sealed class HealthRpcTests(ServerFixture fixture)
{
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = fixture.Client;

    [Fact]
    public async Task ServerLive_Running_ReturnsLive()
    {
        var response = await _client.ServerLiveAsync(new ServerLiveRequest());

        Assert.True(response.Live);
    }

    [Fact]
    public async Task ServerReady_ModelsLoadedWithoutStrictReadiness_ReturnsReadyDespiteBrokenModels()
    {
        var response = await _client.ServerReadyAsync(new ServerReadyRequest());

        Assert.True(response.Ready);
    }

    [Theory]
    [InlineData(ModelNames.Simple, "")]
    [InlineData(ModelNames.Simple, "1")]
    [InlineData(ModelNames.Scale, "1")]
    [InlineData(ModelNames.Scale, "2")]
    [InlineData(ModelNames.TextDirection, "")]
    public async Task ModelReady_LoadedModel_ReturnsReady(string model, string version)
    {
        var response = await _client.ModelReadyAsync(new ModelReadyRequest { Name = model, Version = version });

        Assert.True(response.Ready);
    }

    [Theory]
    [InlineData("no_such_model", "")]
    [InlineData(ModelNames.Scale, "3")]
    [InlineData(ModelNames.Scale, "abc")]
    [InlineData(ModelNames.Broken, "")]
    [InlineData(ModelNames.Broken, "1")]
    [InlineData(ModelNames.BadConfig, "")]
    [InlineData(ModelNames.NoVersions, "")]
    [InlineData("", "")]
    public async Task ModelReady_UnknownOrUnavailableModel_ReturnsNotReady(string model, string version)
    {
        var response = await _client.ModelReadyAsync(new ModelReadyRequest { Name = model, Version = version });

        Assert.False(response.Ready);
    }
}
