using Grpc.Core;
using Inference;
using InferenceGrpc.Server.Tests.Infrastructure;

namespace InferenceGrpc.Server.Tests.Services;

[Collection(ServerCollection.Name)]
public sealed class ModelInferMalformedTests(ServerFixture fixture)
{
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = fixture.Client;

    [Theory]
    [MemberData(nameof(MalformedRequests.All), MemberType = typeof(MalformedRequests))]
    public async Task ModelInfer_MalformedRequest_FailsWithItsStatusNamingTheCulprit(string malformed)
    {
        var @case = MalformedRequests.Get(malformed);

        await RpcAssert.FailsAsync(@case.Code, _client.ModelInferAsync(@case.Build()), @case.Names);
    }

    [Fact]
    public async Task ModelInfer_AfterEveryMalformedRequestAtOnce_StillServesValidRequests()
    {
        var failures = MalformedRequests.Names.Select(async name =>
        {
            var ex = await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelInferAsync(MalformedRequests.Get(name).Build()));
            return (name, ex.StatusCode);
        });
        Assert.All(await Task.WhenAll(failures), f => Assert.Equal(MalformedRequests.Get(f.name).Code, f.StatusCode));

        var identity = await _client.ModelInferAsync(Requests.IdentityFp32(id: "after"));
        var simple = await _client.ModelInferAsync(Requests.Simple(Requests.Sequence(16, 1f), Requests.Sequence(16, 1f)));
        var ready = await _client.ServerReadyAsync(new ServerReadyRequest());

        Assert.Equal("after", identity.Id);
        Assert.Equal(Requests.Sequence(16, 2f), Requests.ToFloats(simple.RawOutputContents[0]));
        Assert.True(ready.Ready);
    }

    [Fact]
    public async Task ModelInfer_FailureInsideOnnxRuntime_ThrowsInternalWithoutRuntimeDetails()
    {
        var @case = MalformedRequests.Get("failure inside ONNX Runtime");

        var ex = await RpcAssert.FailsAsync(StatusCode.Internal, _client.ModelInferAsync(@case.Build()), ModelNames.AddSubAnyLength);

        Assert.DoesNotContain("ErrorCode", ex.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("node", ex.Status.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ModelInfer_AfterFailureInsideOnnxRuntime_ModelStillServes()
    {
        await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelInferAsync(MalformedRequests.Get("failure inside ONNX Runtime").Build()));
        var request = Requests.For(ModelNames.AddSubAnyLength)
            .WithRaw("INPUT0", "FP32", [1, 3], Requests.Floats([1f, 2f, 3f]))
            .WithRaw("INPUT1", "FP32", [1, 3], Requests.Floats([1f, 1f, 1f]));

        var response = await _client.ModelInferAsync(request);

        Assert.Equal([2f, 3f, 4f], Requests.ToFloats(response.RawOutputContents[0]));
    }
}
