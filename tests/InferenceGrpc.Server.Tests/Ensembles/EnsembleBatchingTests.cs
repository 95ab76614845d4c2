using Inference;
using InferenceGrpc.Server.Tests.Infrastructure;
using static InferenceGrpc.Server.Tests.Ensembles.EnsembleFixture;

namespace InferenceGrpc.Server.Tests.Ensembles;

/// <summary>
/// Many concurrent callers of a batched ensemble: each must get exactly what the same pipeline without a batch
/// dimension answers for its own rows, and the step models must have coalesced the callers' rows into batches.
/// </summary>
public sealed class EnsembleBatchingTests(EnsembleFixture fixture) : IClassFixture<EnsembleFixture>
{
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = fixture.Client;

    [Fact]
    public async Task ModelInfer_ConcurrentCallers_EachGetsTheUnbatchedAnswer()
    {
        const int callers = 128;
        var random = new Random(20261127);
        var inputs = Enumerable.Range(0, callers)
            .Select(_ => Enumerable.Range(0, random.Next(1, 4) * 4).Select(_ => (float)random.NextDouble()).ToArray())
            .ToArray();

        var batched = await Task.WhenAll(Enumerable.Range(0, callers).Select(i => Task.Run(async () =>
            await _client.ModelInferAsync(EnsembleRpcTests.Request(Pipeline, inputs[i], id: $"b{i}")))));

        for (var i = 0; i < callers; i++)
        {
            var alone = await _client.ModelInferAsync(EnsembleRpcTests.Request(UnbatchedPipeline, inputs[i]));
            Assert.Equal($"b{i}", batched[i].Id);
            Assert.Equal(alone.Outputs[0].Shape, batched[i].Outputs[0].Shape);
            Assert.Equal(alone.RawOutputContents, batched[i].RawOutputContents);
            Assert.Equal(inputs[i].Select(v => 3 * v), Requests.ToFloats(batched[i].RawOutputContents[0]));
        }

        // The pipeline is batched by its steps: they ran fewer executions than the rows they inferred.
        var statistics = await _client.ModelStatisticsAsync(new ModelStatisticsRequest { Name = Scale });
        var scale = Assert.Single(statistics.ModelStats);
        Assert.True(scale.ExecutionCount < scale.InferenceCount, $"{scale.ExecutionCount} executions for {scale.InferenceCount} rows");
    }
}
