using Grpc.Core;
using Inference;
using InferenceGrpc.Server.Tests.Infrastructure;
using static InferenceGrpc.Server.Tests.Ensembles.EnsembleFixture;

namespace InferenceGrpc.Server.Tests.Ensembles;

/// <summary>Ensembles served over real gRPC: inference, metadata, config, statistics, streams, and the ones that cannot load.</summary>
public sealed class EnsembleRpcTests(EnsembleFixture fixture) : IClassFixture<EnsembleFixture>
{
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = fixture.Client;

    internal static ModelInferRequest Request(string model, float[] values, bool batched = true, string id = "") =>
        Requests.For(model, id: id).WithRaw("IN", "FP32", [values.Length / 4, 4], Requests.Floats(values));

    private static float[] Times(float[] values, float factor) => values.Select(v => v * factor).ToArray();

    [Fact]
    public async Task ModelInfer_Pipeline_ReturnsWhatTheStepsComputeInTurn()
    {
        var x = Requests.Sequence(8, 0.5f, start: -1f);

        var response = await _client.ModelInferAsync(Request(Pipeline, x, id: "r1"));

        Assert.Equal(Pipeline, response.ModelName);
        Assert.Equal("1", response.ModelVersion);
        Assert.Equal("r1", response.Id);
        Assert.Equal(["SUM", "DIFF"], response.Outputs.Select(o => o.Name));
        Assert.Equal([2L, 4], response.Outputs[0].Shape);
        Assert.Equal(Times(x, 3), Requests.ToFloats(response.RawOutputContents[0]));   // 2x + x
        Assert.Equal(x, Requests.ToFloats(response.RawOutputContents[1]));             // 2x - x
    }

    [Fact]
    public async Task ModelInfer_PipelineFromPbtxtWithoutBatchDimension_Answers()
    {
        var x = Requests.Sequence(12, 0.25f);

        var response = await _client.ModelInferAsync(Request(UnbatchedPipeline, x));

        Assert.Equal([3L, 4], response.Outputs[0].Shape);
        Assert.Equal(Times(x, 3), Requests.ToFloats(response.RawOutputContents[0]));
    }

    [Fact]
    public async Task ModelInfer_OneRequestedOutput_ReturnsOnlyIt()
    {
        var x = Requests.Sequence(4, 1f);

        var response = await _client.ModelInferAsync(Request(Pipeline, x).WithOutputs("DIFF"));

        Assert.Equal("DIFF", Assert.Single(response.Outputs).Name);
        Assert.Equal(x, Requests.ToFloats(Assert.Single(response.RawOutputContents)));
    }

    [Fact]
    public async Task ModelInfer_UnknownRequestedOutput_ThrowsInvalidArgument()
    {
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, _client.ModelInferAsync(Request(Pipeline, new float[4]).WithOutputs("scaled")), Pipeline, "'scaled'");
    }

    [Fact]
    public async Task ModelInfer_InputOfWrongShape_ThrowsInvalidArgumentNamingTheEnsembleInput()
    {
        var request = Requests.For(Pipeline).WithRaw("IN", "FP32", [1, 3], Requests.Floats(new float[3]));

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, _client.ModelInferAsync(request), Pipeline, "'IN'");
    }

    [Fact]
    public async Task ModelInfer_BatchOverTheEnsemblesMax_ThrowsInvalidArgument()
    {
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, _client.ModelInferAsync(Request(Pipeline, new float[9 * 4])), Pipeline, "max_batch_size");
    }

    [Fact]
    public async Task ModelInfer_StepFailsValidation_NamesEnsembleAndStep()
    {
        // 9 rows pass the unbatched ensemble (no batch dimension) but not its step models (max_batch_size 8).
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, _client.ModelInferAsync(Request(UnbatchedPipeline, new float[9 * 4])),
            $"ensemble '{UnbatchedPipeline}'", $"step 0 (model '{Scale}')", "max_batch_size");
    }

    [Fact]
    public async Task ModelMetadata_Pipeline_ShowsItsOwnInputsAndOutputs()
    {
        var metadata = await _client.ModelMetadataAsync(new ModelMetadataRequest { Name = Pipeline });

        Assert.Equal("ensemble", metadata.Platform);
        Assert.Equal(["1"], metadata.Versions);
        var input = Assert.Single(metadata.Inputs);
        Assert.Equal(("IN", "FP32"), (input.Name, input.Datatype));
        Assert.Equal([-1L, 4], input.Shape);
        Assert.Equal(["SUM", "DIFF"], metadata.Outputs.Select(o => o.Name));
        Assert.All(metadata.Outputs, o => Assert.Equal([-1L, 4], o.Shape));
    }

    [Fact]
    public async Task ModelConfig_Pipeline_ShowsStepsMapsAndLabelFile()
    {
        var config = (await _client.ModelConfigAsync(new ModelConfigRequest { Name = Pipeline })).Config;

        Assert.Equal("ensemble", config.Platform);
        Assert.Equal(8, config.MaxBatchSize);
        var steps = config.EnsembleScheduling.Step;
        Assert.Equal([Scale, AddSub], steps.Select(s => s.ModelName));
        Assert.Equal(-1, steps[0].ModelVersion);
        Assert.Equal("scaled", steps[1].InputMap["INPUT0"]);
        Assert.Equal("DIFF", steps[1].OutputMap["OUTPUT1"]);
        Assert.Equal("sum_labels.txt", config.Output.Single(o => o.Name == "SUM").LabelFilename);
    }

    [Fact]
    public async Task ModelStatistics_AfterARequest_CountsTheEnsembleAndItsSteps()
    {
        var before = await Statistics();

        await _client.ModelInferAsync(Request(Pipeline, new float[2 * 4]));

        var after = await Statistics();
        Assert.Equal(2UL, after[Pipeline].InferenceCount - before[Pipeline].InferenceCount);
        Assert.Equal(1UL, after[Pipeline].InferenceStats.Success.Count - before[Pipeline].InferenceStats.Success.Count);
        Assert.True(after[Scale].InferenceStats.Success.Count > before[Scale].InferenceStats.Success.Count);
        Assert.True(after[AddSub].InferenceStats.Success.Count > before[AddSub].InferenceStats.Success.Count);
    }

    private async Task<Dictionary<string, ModelStatistics>> Statistics() =>
        (await _client.ModelStatisticsAsync(new ModelStatisticsRequest())).ModelStats.ToDictionary(s => s.Name);

    [Fact]
    public async Task ModelStreamInfer_Pipeline_AnswersEachInOrder()
    {
        using var call = _client.ModelStreamInfer();
        for (var i = 0; i < 5; i++)
        {
            await call.RequestStream.WriteAsync(Request(Pipeline, Requests.Sequence(4, 1f, start: i), id: $"s{i}"));
        }

        await call.RequestStream.CompleteAsync();
        var i2 = 0;
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            Assert.Equal("", response.ErrorMessage);
            Assert.Equal($"s{i2}", response.InferResponse.Id);
            Assert.Equal(Times(Requests.Sequence(4, 1f, start: i2), 3), Requests.ToFloats(response.InferResponse.RawOutputContents[0]));
            i2++;
        }

        Assert.Equal(5, i2);
    }

    [Theory]
    [InlineData(MissingStep, "step 0 (model 'ghost')", "not loaded")]
    [InlineData(Cycle, "cycle", "")]
    public async Task RepositoryIndex_EnsembleThatCannotLoad_IsUnavailableWithTheReason(string model, string reason, string detail)
    {
        var index = await _client.RepositoryIndexAsync(new RepositoryIndexRequest());

        var entry = index.Models.Single(m => m.Name == model);
        Assert.Equal("UNAVAILABLE", entry.State);
        Assert.Contains(reason, entry.Reason);
        Assert.Contains(detail, entry.Reason);
    }

    [Fact]
    public async Task ModelInfer_EnsembleThatCannotLoad_ThrowsUnavailable()
    {
        await RpcAssert.FailsAsync(StatusCode.Unavailable, _client.ModelInferAsync(Request(MissingStep, new float[4])), MissingStep, "ghost");
    }
}
