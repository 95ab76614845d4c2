using Grpc.Core;
using Inference;
using InferenceGrpc.Server.Tests.Infrastructure;
using InferenceGrpc.TestModels;

namespace InferenceGrpc.Server.Tests.Hosting;

/// <summary>A server whose receive limit is set down to gRPC's usual 4 MiB.</summary>
public sealed class MessageLimitTests(MessageLimitTests.Fixture fixture) : IClassFixture<MessageLimitTests.Fixture>
{
    private const int Limit = 4 * 1024 * 1024;

    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = fixture.Client;

    public sealed class Fixture : ServerFixtureBase
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } =
            new Dictionary<string, string?> { ["Server:MaxReceiveMessageBytes"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture) };

        private protected override void Populate(TestRepository repository) =>
            repository.AddModel(ModelNames.IdentityFp32AnyLength, TestModelFactory.Identity(TensorElementKind.Float, [null, null]));
    }

    private static ModelInferRequest Request(int bytes) =>
        Requests.For(ModelNames.IdentityFp32AnyLength).WithRaw("INPUT0", "FP32", [1, bytes / 4], new byte[bytes]);

    [Fact]
    public async Task ModelInfer_RequestOverReceiveLimit_ThrowsResourceExhausted()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelInferAsync(Request(5_000_000)));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task ModelInfer_RequestUnderReceiveLimit_Succeeds()
    {
        var response = await _client.ModelInferAsync(Request(3_000_000));

        Assert.Equal([1L, 750_000L], Assert.Single(response.Outputs).Shape);
    }

    [Fact]
    public async Task ModelInfer_AfterRequestOverReceiveLimit_StillServes()
    {
        await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelInferAsync(Request(5_000_000)));

        var response = await _client.ModelInferAsync(Request(16));

        Assert.Single(response.RawOutputContents);
    }
}
