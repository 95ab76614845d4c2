using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Net.Client;
using Inference;
using InferenceGrpc.Tests.Infrastructure;

namespace InferenceGrpc.Client.Tests;

public sealed class InferenceClientTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task InferAsync_Response_WrappedInResult()
    {
        var invoker = new FakeCallInvoker().On<ModelInferRequest, ModelInferResponse>("ModelInfer", r => new ModelInferResponse
        {
            ModelName = r.ModelName,
            Id = r.Id,
            Outputs = { new ModelInferResponse.Types.InferOutputTensor { Name = "y", Datatype = "INT32", Shape = { 1 } } },
            RawOutputContents = { r.RawInputContents[0] },
        });
        using var client = new InferenceClient(invoker);

        var result = await client.InferAsync(new InferRequestBuilder("m").WithId("7").AddInput<int>("x", [1], [42]).Build());

        Assert.Equal("m", result.ModelName);
        Assert.Equal("7", result.Id);
        Assert.Equal([42], result.GetOutput<int>("y"));
    }

    [Fact]
    public async Task InferAsync_ServerError_RpcExceptionPassesThrough()
    {
        var invoker = new FakeCallInvoker().On<ModelInferRequest, ModelInferResponse>(
            "ModelInfer", _ => throw new RpcException(new Status(StatusCode.NotFound, "no model 'm'")));
        using var client = new InferenceClient(invoker);

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.InferAsync(new ModelInferRequest { ModelName = "m" }));

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task HealthCalls_ReturnFlagsAndSendNames()
    {
        var invoker = new FakeCallInvoker()
            .On<ServerLiveRequest, ServerLiveResponse>("ServerLive", _ => new ServerLiveResponse { Live = true })
            .On<ServerReadyRequest, ServerReadyResponse>("ServerReady", _ => new ServerReadyResponse { Ready = false })
            .On<ModelReadyRequest, ModelReadyResponse>("ModelReady", r => new ModelReadyResponse { Ready = r.Name == "m" && r.Version == "2" });
        using var client = new InferenceClient(invoker);

        Assert.True(await client.ServerLiveAsync());
        Assert.False(await client.ServerReadyAsync());
        Assert.True(await client.ModelReadyAsync("m", "2"));
        Assert.False(await client.ModelReadyAsync("m"));
    }

    [Fact]
    public async Task ModelMetadataAsync_SendsNameAndVersion()
    {
        var invoker = new FakeCallInvoker().On<ModelMetadataRequest, ModelMetadataResponse>(
            "ModelMetadata", r => new ModelMetadataResponse { Name = r.Name, Versions = { r.Version } });
        using var client = new InferenceClient(invoker);

        var metadata = await client.ModelMetadataAsync("m", "4");

        Assert.Equal("m", metadata.Name);
        Assert.Equal(["4"], metadata.Versions);
    }

    [Fact]
    public async Task RepositoryIndexAsync_ReadyOnly_SetsReadyFlag()
    {
        var invoker = new FakeCallInvoker().On<RepositoryIndexRequest, RepositoryIndexResponse>(
            "RepositoryIndex", r => new RepositoryIndexResponse
            {
                Models = { new RepositoryIndexResponse.Types.ModelIndex { Name = r.Ready ? "ready-only" : "all" } },
            });
        using var client = new InferenceClient(invoker);

        var index = await client.RepositoryIndexAsync(readyOnly: true);

        Assert.Equal("ready-only", Assert.Single(index.Models).Name);
    }

    [Fact]
    public async Task RepositoryIndexAsync_NotImplemented_ThrowsUnimplemented()
    {
        using var client = new InferenceClient(new FakeCallInvoker());

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.RepositoryIndexAsync());

        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
    }

    [Fact]
    public async Task StreamAsync_AllRequests_OneResponseEachAndRequestStreamCompleted()
    {
        var invoker = new FakeCallInvoker { StreamHandler = EchoIds };
        using var client = new InferenceClient(invoker);

        var ids = new List<string>();
        await foreach (var response in client.StreamAsync(Requests("a", "b", "c")).WithCancellation(Timeout()))
        {
            ids.Add(response.InferResponse.Id);
        }

        Assert.Equal(["a", "b", "c"], ids);
        Assert.Equal(3, invoker.LastStream!.RequestsWritten);
        Assert.True(invoker.LastStream.RequestStreamCompleted);
    }

    [Fact]
    public async Task StreamAsync_SourceWaitsForResponse_WritesAndReadsConcurrently()
    {
        // The source yields its second request only after the first response arrived: a client
        // that wrote everything before reading would deadlock here.
        var invoker = new FakeCallInvoker { StreamHandler = EchoIds };
        using var client = new InferenceClient(invoker);
        var firstResponse = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var ids = new List<string>();
        await foreach (var response in client.StreamAsync(Gated(firstResponse.Task)).WithCancellation(Timeout()))
        {
            ids.Add(response.InferResponse.Id);
            firstResponse.TrySetResult();
        }

        Assert.Equal(["first", "second"], ids);

        static async IAsyncEnumerable<ModelInferRequest> Gated(Task gate)
        {
            yield return new ModelInferRequest { Id = "first" };
            await gate.WaitAsync(TestTimeout);
            yield return new ModelInferRequest { Id = "second" };
        }
    }

    [Fact]
    public async Task StreamAsync_SourceThrows_RethrowsSourceExceptionAndCancelsCall()
    {
        var invoker = new FakeCallInvoker { StreamHandler = EchoIds };
        using var client = new InferenceClient(invoker);

        var ex = await Assert.ThrowsAsync<FormatException>(async () =>
        {
            await foreach (var _ in client.StreamAsync(Failing()).WithCancellation(Timeout()))
            {
            }
        });

        Assert.Equal("bad source", ex.Message);
        Assert.True(invoker.LastStream!.IsCancelled);

        static async IAsyncEnumerable<ModelInferRequest> Failing()
        {
            yield return new ModelInferRequest { Id = "a" };
            await Task.Yield();
            throw new FormatException("bad source");
        }
    }

    [Fact]
    public async Task StreamAsync_CallerStopsEarly_CancelsCallAndReturns()
    {
        var invoker = new FakeCallInvoker { StreamHandler = EchoIds };
        using var client = new InferenceClient(invoker);

        await foreach (var _ in client.StreamAsync(Endless()).WithCancellation(Timeout()))
        {
            break;
        }

        Assert.True(invoker.LastStream!.IsCancelled);

        static async IAsyncEnumerable<ModelInferRequest> Endless([EnumeratorCancellation] CancellationToken ct = default)
        {
            for (var i = 0; ; i++)
            {
                yield return new ModelInferRequest { Id = i.ToString() };
                await Task.Delay(1, ct);
            }
        }
    }

    [Fact]
    public async Task StreamAsync_ServerFails_RpcExceptionPassesThrough()
    {
        var invoker = new FakeCallInvoker { StreamHandler = Failing };
        using var client = new InferenceClient(invoker);

        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in client.StreamAsync(Requests("a")).WithCancellation(Timeout()))
            {
            }
        });

        Assert.Equal(StatusCode.Internal, ex.StatusCode);

        static async IAsyncEnumerable<ModelStreamInferResponse> Failing(IAsyncEnumerable<ModelInferRequest> requests)
        {
            await foreach (var _ in requests)
            {
                throw new RpcException(new Status(StatusCode.Internal, "boom"));
            }

            yield break;
        }
    }

    [Fact]
    public void Create_NoOptions_ReturnsClientOwningChannel()
    {
        // Creating a channel does not connect, so this needs no server.
        using var client = InferenceClient.Create("localhost:8001");

        Assert.NotNull(client.RawClient);
    }

    [Fact]
    public void Create_GivenOptions_UsesThem()
    {
        using var client = InferenceClient.Create("http://localhost:8001", new GrpcChannelOptions { MaxReceiveMessageSize = 1 });

        Assert.NotNull(client.RawClient);
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TestTimeout).Token;

    private static async IAsyncEnumerable<ModelInferRequest> Requests(params string[] ids)
    {
        foreach (var id in ids)
        {
            await Task.Yield();
            yield return new ModelInferRequest { ModelName = "m", Id = id };
        }
    }

    private static async IAsyncEnumerable<ModelStreamInferResponse> EchoIds(IAsyncEnumerable<ModelInferRequest> requests)
    {
        await foreach (var request in requests)
        {
            yield return new ModelStreamInferResponse { InferResponse = new ModelInferResponse { Id = request.Id } };
        }
    }
}
