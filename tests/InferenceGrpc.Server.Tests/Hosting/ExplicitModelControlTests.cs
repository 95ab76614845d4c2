using Grpc.Core;
using Inference;
using InferenceGrpc.Server.Tests.Infrastructure;
using InferenceGrpc.TestModels;

namespace InferenceGrpc.Server.Tests.Hosting;

/// <summary>A server in explicit model control mode that loads one model of three at start.</summary>
public sealed class ExplicitModelControlTests(ExplicitModelControlTests.Fixture fixture) : IClassFixture<ExplicitModelControlTests.Fixture>
{
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = fixture.Client;

    public sealed class Fixture : ServerFixtureBase
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["Server:ModelControlMode"] = "explicit",
            ["Server:LoadModel:0"] = ModelNames.Simple,
            ["Server:StrictReadiness"] = "true",
        };

        private protected override void Populate(TestRepository repository) =>
            repository
                .AddModel(ModelNames.Simple, TestModelFactory.AddSub(TensorElementKind.Float))
                .AddModel(ModelNames.Identity("FP32"), TestModelFactory.Identity(TensorElementKind.Float, [null, 4]))
                .AddModel(ModelNames.Broken, TestModelFactory.Corrupt());
    }

    [Fact]
    public async Task RepositoryIndex_ExplicitModeWithOneLoadModel_ListsOnlyThatModel()
    {
        var response = await _client.RepositoryIndexAsync(new RepositoryIndexRequest());

        var entry = Assert.Single(response.Models);
        Assert.Equal(ModelNames.Simple, entry.Name);
        Assert.Equal("1", entry.Version);
        Assert.Equal("READY", entry.State);
    }

    [Fact]
    public async Task ServerReady_ExplicitModeSkipsBrokenModel_ReturnsReady()
    {
        var response = await _client.ServerReadyAsync(new ServerReadyRequest());

        Assert.True(response.Ready);
    }

    [Fact]
    public async Task ModelReady_ModelNotNamedByLoadModel_ReturnsNotReady()
    {
        var response = await _client.ModelReadyAsync(new ModelReadyRequest { Name = ModelNames.Identity("FP32") });

        Assert.False(response.Ready);
    }

    [Fact]
    public async Task ModelInfer_ModelNotNamedByLoadModel_ThrowsNotFound()
    {
        await RpcAssert.FailsAsync(StatusCode.NotFound, _client.ModelInferAsync(Requests.IdentityFp32()), ModelNames.Identity("FP32"));
    }

    [Fact]
    public async Task ModelInfer_LoadedModel_Serves()
    {
        var response = await _client.ModelInferAsync(Requests.Simple(Requests.Sequence(16, 1f), Requests.Sequence(16, 1f)));

        Assert.Equal(Requests.Sequence(16, 2f), Requests.ToFloats(response.RawOutputContents[0]));
    }
}
