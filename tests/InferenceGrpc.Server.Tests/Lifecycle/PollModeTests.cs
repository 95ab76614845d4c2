using Grpc.Core;
using Inference;
using InferenceGrpc.Server.Tests.Infrastructure;
using InferenceGrpc.TestModels;

namespace InferenceGrpc.Server.Tests.Lifecycle;

/// <summary>
/// Poll mode over a real repository folder: a new version is picked up (once its folder is stable), a removed
/// model is unloaded, and a Triton config.pbtxt is read. Polls every second; the waits are hang guards only.
/// </summary>
public sealed class PollModeTests : IAsyncLifetime
{
    private readonly TestRepository _repository = new();
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _repository.AddModel("polled", TestModelFactory.Scale(1f, [null, 4]), version: 1)
            .AddModel("triton", TestModelFactory.Identity(TensorElementKind.Float, [null, 4]));
        File.WriteAllText(Path.Combine(_repository.Root, "triton", "config.pbtxt"), """
            # A Triton-style config: text format, list syntax, enums by name.
            platform: "onnxruntime_onnx"
            max_batch_size: 2
            input [ { name: "INPUT0", data_type: TYPE_FP32, dims: [ 4 ] } ]
            output [ { name: "OUTPUT0", data_type: TYPE_FP32, dims: [ 4 ] } ]
            instance_group [ { count: 1, kind: KIND_CPU } ]
            """);
        _server = await RunningServer.StartAsync(_repository.Root, new Dictionary<string, string?>
        {
            ["Server:ModelControlMode"] = "poll",
            ["Server:RepositoryPollSecs"] = "1",
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
    }

    [Fact]
    public async Task ConfigPbtxt_InTheRepository_IsServedWithItsSettings()
    {
        var config = await _server.Client.ModelConfigAsync(new ModelConfigRequest { Name = "triton" });

        Assert.Equal(2, config.Config.MaxBatchSize);
        Assert.Equal(ModelInstanceGroup.Types.Kind.Cpu, Assert.Single(config.Config.InstanceGroup).Kind);
    }

    [Fact]
    public async Task Poll_FileWrittenIntoAServingVersionFolder_ReloadsThatVersionWithoutFailingRequests()
    {
        var client = _server.Client;
        var request = Requests.For("polled").WithRaw("INPUT0", "FP32", [1, 4], Requests.Floats([1f, 2f, 3f, 4f]));
        await client.ModelInferAsync(request);
        Assert.Equal(1UL, await InferenceCountAsync(client));

        // A drift baseline (or a tokenizer's vocabulary, or external weights) is part of the version: writing one
        // reloads the version, which shows as fresh statistics of the same version number.
        File.WriteAllText(Path.Combine(_repository.Root, "polled", "1", "baseline.json"), "{}");

        await WaitUntilAsync(async () =>
        {
            var response = await client.ModelInferAsync(request);
            Assert.Equal("1", response.ModelVersion);
            return await InferenceCountAsync(client) < 2;
        });
    }

    private static async Task<ulong> InferenceCountAsync(GRPCInferenceService.GRPCInferenceServiceClient client) =>
        Assert.Single((await client.ModelStatisticsAsync(new ModelStatisticsRequest { Name = "polled", Version = "1" })).ModelStats).InferenceCount;

    [Fact]
    public async Task Poll_NewVersionThenRemovedModel_LoadsThenUnloads()
    {
        var client = _server.Client;
        _repository.AddModel("polled", TestModelFactory.Scale(2f, [null, 4]), version: 2);

        await WaitUntilAsync(async () => (await client.ModelReadyAsync(new ModelReadyRequest { Name = "polled", Version = "2" })).Ready);
        var response = await client.ModelInferAsync(Requests.For("polled").WithRaw("INPUT0", "FP32", [1, 4], Requests.Floats([1f, 2f, 3f, 4f])));
        Assert.Equal("2", response.ModelVersion);

        Directory.Delete(Path.Combine(_repository.Root, "polled"), recursive: true);
        await WaitUntilAsync(async () => !(await client.ModelReadyAsync(new ModelReadyRequest { Name = "polled" })).Ready);
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.ModelInferAsync(Requests.For("polled").WithRaw("INPUT0", "FP32", [1, 4], Requests.Floats([1f, 2f, 3f, 4f]))).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task RepositoryModelLoad_PollMode_ThrowsUnavailable()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _server.Client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "polled" }).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        // A hang guard, not a timing assertion: two polls (one second apart) normally suffice.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the repository change was not applied within the guard");
            await Task.Delay(100);
        }
    }
}
