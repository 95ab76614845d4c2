using Grpc.Core;
using Inference;
using InferenceGrpc.Server.Tests.Infrastructure;
using static InferenceGrpc.Server.Tests.Ensembles.EnsembleFixture;

namespace InferenceGrpc.Server.Tests.Ensembles;

/// <summary>
/// An ensemble under explicit model control: loaded and unloaded through the repository RPCs, its steps resolved at
/// request time, so a step that goes away fails requests UNAVAILABLE and one that comes back serves them again.
/// </summary>
public sealed class EnsembleLifecycleTests(EnsembleLifecycleTests.Fixture fixture) : IClassFixture<EnsembleLifecycleTests.Fixture>
{
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = fixture.Client;

    public sealed class Fixture : ServerFixtureBase
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["Server:ModelControlMode"] = "explicit",
            ["Server:StrictReadiness"] = "false",
        };

        private protected override void Populate(TestRepository repository) => Write(repository);
    }

    private Task Load(string model) => _client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = model }).ResponseAsync;

    private Task Unload(string model) => _client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = model }).ResponseAsync;

    private async Task<float[]> Sum(float[] x) =>
        Requests.ToFloats((await _client.ModelInferAsync(EnsembleRpcTests.Request(Pipeline, x))).RawOutputContents[0]);

    // One scenario, in order: each step depends on the state the previous one left.
    [Fact]
    public async Task RepositoryLoadAndUnload_EnsembleAndSteps_FollowTheirStepsAtRequestTime()
    {
        float[] x = [1, 2, 3, 4];
        float[] expected = [3, 6, 9, 12];

        // Its steps are not loaded: the load fails naming them.
        var refused = await Assert.ThrowsAsync<RpcException>(() => Load(Pipeline));
        Assert.Contains($"step 0 (model '{Scale}')", refused.Status.Detail, StringComparison.Ordinal);

        // Loading the steps retries the ensemble that waited for them.
        await Load(Scale);
        await Load(AddSub);
        Assert.True((await _client.ModelReadyAsync(new ModelReadyRequest { Name = Pipeline })).Ready);
        Assert.Equal(expected, await Sum(x));

        // A step unloaded: the ensemble answers UNAVAILABLE naming the step, not NOT_FOUND.
        await Unload(Scale);
        await RpcAssert.FailsAsync(StatusCode.Unavailable, _client.ModelInferAsync(EnsembleRpcTests.Request(Pipeline, x)),
            $"ensemble '{Pipeline}'", $"model '{Scale}'");

        // The step back: the same ensemble version serves again.
        await Load(Scale);
        Assert.Equal(expected, await Sum(x));

        // The ensemble unloaded: NOT_FOUND, and its steps keep serving.
        await Unload(Pipeline);
        await RpcAssert.FailsAsync(StatusCode.NotFound, _client.ModelInferAsync(EnsembleRpcTests.Request(Pipeline, x)), Pipeline);
        Assert.True((await _client.ModelReadyAsync(new ModelReadyRequest { Name = Scale })).Ready);
    }
}
