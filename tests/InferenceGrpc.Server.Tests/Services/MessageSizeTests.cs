using Inference;
using InferenceGrpc.Server.Tests.Infrastructure;

namespace InferenceGrpc.Server.Tests.Services;

[Collection(ServerCollection.Name)]
public sealed class MessageSizeTests(ServerFixture fixture)
{
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = fixture.Client;

    [Fact]
    public async Task ModelInfer_FortyMegabyteRequest_IsAcceptedUnderTheDefaultLimit()
    {
        // 40 MB each way: ten times gRPC's usual 4 MiB default, within the server's 64 MiB.
        const int elements = 10_000_000;
        var data = Requests.Floats(Requests.Sequence(elements, 0.5f));
        var request = Requests.For(ModelNames.IdentityFp32AnyLength).WithRaw("INPUT0", "FP32", [1, elements], data);

        var response = await _client.ModelInferAsync(request);

        Assert.Equal([1L, elements], Assert.Single(response.Outputs).Shape);
        Assert.True(data.AsSpan().SequenceEqual(Assert.Single(response.RawOutputContents).Span));
    }
}
