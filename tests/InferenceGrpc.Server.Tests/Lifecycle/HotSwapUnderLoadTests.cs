using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Grpc.Core;
using Inference;
using InferenceGrpc.Server.Tests.Infrastructure;
using InferenceGrpc.TestModels;

namespace InferenceGrpc.Server.Tests.Lifecycle;

/// <summary>
/// Model lifecycle under continuous load (unary callers and streams, none naming a version): load v2 beside v1
/// and switch, let the version policy retire v1, fail to load a corrupt v3, roll back, and unload. Every request
/// must succeed, and every answer must come from the version it names (output = input × that version's factor).
/// </summary>
public sealed class HotSwapUnderLoadTests : IAsyncLifetime
{
    private const string Model = "swap";
    private static readonly float[] Input = [1f, 2f, 3f, 4f];

    private readonly TestRepository _repository = new();
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _repository.AddModel(Model, TestModelFactory.Scale(1f, [null, 4]), version: 1);
        _server = await RunningServer.StartAsync(_repository.Root, new Dictionary<string, string?>
        {
            ["Server:ModelControlMode"] = "explicit",
            ["Server:LoadModel:0"] = Model,
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
    }

    [Fact]
    public async Task RepositoryChanges_UnderContinuousLoad_NoRequestFailsAndEachAnswerMatchesItsVersion()
    {
        var client = _server.Client;
        using var stop = new CancellationTokenSource();
        var answers = new ConcurrentBag<(string Version, float First)>();
        var failures = new ConcurrentBag<string>();
        var load = Enumerable.Range(0, 6).Select(_ => Task.Run(() => UnaryLoopAsync(client, answers, failures, stop.Token)))
            .Concat(Enumerable.Range(0, 2).Select(_ => Task.Run(() => StreamLoopAsync(client, answers, failures, stop.Token))))
            .ToArray();
        await WaitForAnswersAsync(answers, "1");

        // v2 loads beside v1 and takes over; the default policy (latest 1) retires v1.
        _repository.AddModel(Model, TestModelFactory.Scale(2f, [null, 4]), version: 2);
        await client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = Model });
        await WaitForAnswersAsync(answers, "2");
        var index = await client.RepositoryIndexAsync(new RepositoryIndexRequest());
        Assert.Equal(["2"], index.Models.Where(m => m.Name == Model).Select(m => m.Version));

        // A corrupt v3 fails to load, says why, and v2 keeps serving.
        _repository.AddModel(Model, TestModelFactory.Corrupt(), version: 3);
        var failed = await Assert.ThrowsAsync<RpcException>(() => client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = Model }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, failed.StatusCode);
        Assert.Contains("version 2 keeps serving", failed.Status.Detail);
        index = await client.RepositoryIndexAsync(new RepositoryIndexRequest());
        Assert.Contains(index.Models, m => m.Name == Model && m.Version == "3" && m.State == "UNAVAILABLE" && m.Reason.Length > 0);
        Assert.Contains(index.Models, m => m.Name == Model && m.Version == "2" && m.State == "READY");
        var settled = answers.Count;
        await WaitForAnswersAsync(answers, "2", after: settled);

        // Roll back: v3 is removed from the repository; v2 (unchanged) is reused, not reloaded.
        Directory.Delete(Path.Combine(_repository.Root, Model, "3"), recursive: true);
        await client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = Model });
        index = await client.RepositoryIndexAsync(new RepositoryIndexRequest());
        Assert.Equal(["2"], index.Models.Where(m => m.Name == Model).Select(m => m.Version));
        settled = answers.Count;
        await WaitForAnswersAsync(answers, "2", after: settled);

        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(failures);
        Assert.All(answers, a => Assert.Equal(float.Parse(a.Version, System.Globalization.CultureInfo.InvariantCulture) * Input[0], a.First));
        Assert.Contains(answers, a => a.Version == "1");
        Assert.Contains(answers, a => a.Version == "2");
        Assert.DoesNotContain(answers, a => a.Version == "3");
    }

    [Fact]
    public async Task RepositoryModelUnload_LoadedModel_LaterRequestsAreNotFound()
    {
        var client = _server.Client;

        await client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = Model });

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ModelInferAsync(Request()).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.True((await client.ServerReadyAsync(new ServerReadyRequest())).Ready);   // an unloaded model does not make it unready
        var again = await Assert.ThrowsAsync<RpcException>(() => client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = Model }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task RepositoryModelLoad_ConfigOverride_ServesWithTheOverride()
    {
        var client = _server.Client;
        var load = new RepositoryModelLoadRequest { ModelName = Model };
        load.Parameters["config"] = new ModelRepositoryParameter { StringParam = """{ "max_batch_size": 2 }""" };

        await client.RepositoryModelLoadAsync(load);

        var config = await client.ModelConfigAsync(new ModelConfigRequest { Name = Model });
        Assert.Equal(2, config.Config.MaxBatchSize);
    }

    [Fact]
    public async Task RepositoryModelLoad_UnknownModel_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _server.Client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "../escape" }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    private static ModelInferRequest Request() =>
        Requests.For(Model).WithRaw("INPUT0", "FP32", [1, 4], MemoryMarshal.AsBytes(Input.AsSpan()).ToArray());

    private static async Task UnaryLoopAsync(
        GRPCInferenceService.GRPCInferenceServiceClient client, ConcurrentBag<(string, float)> answers, ConcurrentBag<string> failures, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var response = await client.ModelInferAsync(Request());
                answers.Add((response.ModelVersion, MemoryMarshal.Cast<byte, float>(response.RawOutputContents[0].Span)[0]));
            }
            catch (RpcException ex)
            {
                failures.Add($"unary: {ex.StatusCode}: {ex.Status.Detail}");
            }
        }
    }

    private static async Task StreamLoopAsync(
        GRPCInferenceService.GRPCInferenceServiceClient client, ConcurrentBag<(string, float)> answers, ConcurrentBag<string> failures, CancellationToken stop)
    {
        using var call = client.ModelStreamInfer();
        while (!stop.IsCancellationRequested)
        {
            await call.RequestStream.WriteAsync(Request());
            if (!await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                failures.Add("stream: ended early");
                return;
            }

            var response = call.ResponseStream.Current;
            if (!string.IsNullOrEmpty(response.ErrorMessage))
            {
                failures.Add("stream: " + response.ErrorMessage);
                continue;
            }

            answers.Add((response.InferResponse.ModelVersion, MemoryMarshal.Cast<byte, float>(response.InferResponse.RawOutputContents[0].Span)[0]));
        }

        await call.RequestStream.CompleteAsync();
    }

    private static async Task WaitForAnswersAsync(ConcurrentBag<(string Version, float)> answers, string version, int after = 0)
    {
        // A hang guard, not a timing assertion: under load, answers from a version arrive within milliseconds.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (answers.Count <= after + 20 || !answers.Any(a => a.Version == version))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no answers from version {version} within the guard");
            await Task.Delay(20);
        }
    }
}
