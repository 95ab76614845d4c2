using Grpc.Core;
using Inference;
using InferenceGrpc.Server.Tests.Infrastructure;

namespace InferenceGrpc.Server.Tests.Services;

/// <summary>The bundled PaddleOCR text direction classifier, a real model, on the CPU.</summary>
[Collection(ServerCollection.Name)]
public sealed class TextDirectionTests(ServerFixture fixture)
{
    private const int RowElements = 3 * 48 * 192;
    private const string Output = "softmax_0.tmp_0";

    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = fixture.Client;

    // Row r is an image of values in [-1, 1) from seed r, so rows differ and results are repeatable.
    private static float[] Rows(int first, int count) =>
        Enumerable.Range(first, count).SelectMany(r => Requests.Random(RowElements, seed: 1000 + r)).ToArray();

    private static ModelInferRequest Request(float[] rows) =>
        Requests.For(ModelNames.TextDirection)
            .WithRaw("x", "FP32", [rows.Length / RowElements, 3, 48, 192], Requests.Floats(rows));

    [Theory]
    [InlineData(1)]
    [InlineData(32)]
    public async Task ModelInfer_ValidBatch_ReturnsTwoProbabilitiesPerRowSummingToOne(int batch)
    {
        var response = await _client.ModelInferAsync(Request(Rows(0, batch)));

        var output = Assert.Single(response.Outputs);
        Assert.Equal(Output, output.Name);
        Assert.Equal("FP32", output.Datatype);
        Assert.Equal([batch, 2L], output.Shape);
        var probabilities = Requests.ToFloats(Assert.Single(response.RawOutputContents));
        Assert.Equal(batch * 2, probabilities.Length);
        Assert.All(probabilities, p => Assert.InRange(p, 0f, 1f));
        Assert.All(probabilities.Chunk(2), row => Assert.Equal(1.0, row[0] + row[1], 1e-5));
    }

    [Fact]
    public async Task ModelInfer_BatchAboveMaxBatchSize_ThrowsInvalidArgument()
    {
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, _client.ModelInferAsync(Request(Rows(0, 33))), ModelNames.TextDirection, "'x'");
    }

    [Fact]
    public async Task ModelInfer_BatchOfRows_MatchesEachRowRunAlone()
    {
        const int batch = 4;
        var batched = Requests.ToFloats((await _client.ModelInferAsync(Request(Rows(0, batch)))).RawOutputContents[0]);

        for (var r = 0; r < batch; r++)
        {
            var single = Requests.ToFloats((await _client.ModelInferAsync(Request(Rows(r, 1)))).RawOutputContents[0]);
            Assert.Equal(single[0], batched[2 * r], 1e-6f);
            Assert.Equal(single[1], batched[(2 * r) + 1], 1e-6f);
        }
    }

    [Fact]
    public async Task ModelInfer_SameInputTwice_ReturnsIdenticalOutput()
    {
        var rows = Rows(7, 2);

        var first = await _client.ModelInferAsync(Request(rows));
        var second = await _client.ModelInferAsync(Request(rows));

        Assert.Equal(first.RawOutputContents[0], second.RawOutputContents[0]);
    }
}
