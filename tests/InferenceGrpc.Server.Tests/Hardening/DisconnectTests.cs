using Grpc.Core;
using Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Server.Tests.Infrastructure;
using InferenceGrpc.TestModels;
using Microsoft.Extensions.DependencyInjection;

namespace InferenceGrpc.Server.Tests.Hardening;

/// <summary>
/// 1,000 clients that vanish mid-stream (requests in flight, answers unread): every stream handler must finish,
/// nothing may stay queued or in flight, and the server must keep serving. A leak shows as an active request
/// that never ends or a model version that never drains.
/// </summary>
public sealed class DisconnectTests(DisconnectTests.Fixture fixture) : IClassFixture<DisconnectTests.Fixture>
{
    private const string Model = "disconnect_identity";
    private const int Disconnects = 1000;

    public sealed class Fixture : ServerFixtureBase
    {
        private protected override void Populate(TestRepository repository) =>
            repository.AddModel(Model, TestModelFactory.Identity(TensorElementKind.Float, [null, 4]));
    }

    [Fact]
    public async Task ModelStreamInfer_ThousandClientsDisconnectMidStream_NothingLeaksAndTheServerServes()
    {
        var client = fixture.Client;
        for (var i = 0; i < Disconnects; i++)
        {
            using var leave = new CancellationTokenSource();
            using var call = client.ModelStreamInfer(cancellationToken: leave.Token);
            await call.RequestStream.WriteAsync(Request($"{i}-a"));
            await call.RequestStream.WriteAsync(Request($"{i}-b"));
            if (i % 2 == 0)
            {
                // Half read one answer first, half vanish with both unread.
                Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            }

            await leave.CancelAsync();
        }

        var version = fixture.Server.App.Services.GetRequiredService<ModelRegistry>().ResolveReady(Model, "");
        var streams = fixture.Server.App.Services.GetRequiredService<InferenceGrpc.Server.Services.StreamTracker>();
        await WaitUntilAsync(() => Task.FromResult(
            version.Scheduler!.InFlight == 0 && version.Scheduler.QueueDepth == 0 && streams.Active == 0));
        Assert.Equal(Disconnects, streams.Ended);

        // Still serving, exactly.
        var response = await client.ModelInferAsync(Request("after"));
        Assert.Equal([1f, 2f, 3f, 4f], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(response.RawOutputContents[0].Span).ToArray());

    }

    private static ModelInferRequest Request(string id) =>
        Requests.For(Model, id: id).WithRaw("INPUT0", "FP32", [1, 4], Requests.Floats([1f, 2f, 3f, 4f]));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        // A hang guard, not a timing assertion: the handlers end within milliseconds of their client leaving.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "stream handlers or queued requests were still alive after the guard");
            await Task.Delay(50);
        }
    }
}
