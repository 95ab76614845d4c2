using Grpc.Health.V1;
using Inference;
using InferenceGrpc.Server.Tests.Infrastructure;
using InferenceGrpc.TestModels;

namespace InferenceGrpc.Server.Tests.Hosting;

/// <summary>A server with strict readiness (tritonserver's default) and one model that fails to load.</summary>
public sealed class StrictReadinessTests(StrictReadinessTests.Fixture fixture) : IClassFixture<StrictReadinessTests.Fixture>
{
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = fixture.Client;
    private readonly Grpc.Health.V1.Health.HealthClient _health = new(fixture.Server.Channel);

    public sealed class Fixture : ServerFixtureBase
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } =
            new Dictionary<string, string?> { ["Server:StrictReadiness"] = "true" };

        private protected override void Populate(TestRepository repository) =>
            repository
                .AddModel(ModelNames.Identity("FP32"), TestModelFactory.Identity(TensorElementKind.Float, [null, 4]))
                .AddModel(ModelNames.Broken, TestModelFactory.Corrupt());
    }

    [Fact]
    public async Task ServerReady_ModelFailedToLoad_ReturnsNotReady()
    {
        var response = await _client.ServerReadyAsync(new ServerReadyRequest());

        Assert.False(response.Ready);
    }

    [Fact]
    public async Task ServerLive_ModelFailedToLoad_ReturnsLive()
    {
        var response = await _client.ServerLiveAsync(new ServerLiveRequest());

        Assert.True(response.Live);
    }

    [Theory]
    [InlineData("readiness", HealthCheckResponse.Types.ServingStatus.NotServing)]
    [InlineData("liveness", HealthCheckResponse.Types.ServingStatus.Serving)]
    [InlineData("", HealthCheckResponse.Types.ServingStatus.Serving)]
    public async Task HealthCheck_ModelFailedToLoad_ReportsNotReadyButLive(string service, HealthCheckResponse.Types.ServingStatus expected)
    {
        var response = await _health.CheckAsync(new HealthCheckRequest { Service = service });

        Assert.Equal(expected, response.Status);
    }

    [Fact]
    public async Task ModelReady_LoadedModelBesideBrokenOne_ReturnsReady()
    {
        var response = await _client.ModelReadyAsync(new ModelReadyRequest { Name = ModelNames.Identity("FP32") });

        Assert.True(response.Ready);
    }

    [Fact]
    public async Task ModelInfer_LoadedModelOfNotReadyServer_StillServes()
    {
        var response = await _client.ModelInferAsync(Requests.IdentityFp32(id: "strict"));

        Assert.Equal("strict", response.Id);
    }
}
