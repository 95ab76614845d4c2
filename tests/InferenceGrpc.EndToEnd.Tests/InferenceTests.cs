using Grpc.Core;
using Inference;
using InferenceGrpc.EndToEnd.Tests.Infrastructure;

namespace InferenceGrpc.EndToEnd.Tests;

/// <summary>Unary calls to the shared server, checked against ONNX Runtime run in this process.</summary>
[Collection(ServerCollection.Name)]
public sealed class InferenceTests(ServerFixture fixture)
{
    private const float Tolerance = 1e-5f;

    private GRPCInferenceService.GRPCInferenceServiceClient Client => fixture.Server.Client;

    [Fact]
    public async Task ServerLive_RunningServer_True()
    {
        var response = await Client.ServerLiveAsync(new ServerLiveRequest());

        Assert.True(response.Live);
    }

    [Fact]
    public async Task ModelReady_TextDirection_True()
    {
        var response = await Client.ModelReadyAsync(new ModelReadyRequest { Name = ReferenceModel.ModelName });

        Assert.True(response.Ready);
    }

    [Fact]
    public async Task ModelMetadata_TextDirection_DescribesInputAndOutputWithBatchDimension()
    {
        var response = await Client.ModelMetadataAsync(new ModelMetadataRequest { Name = ReferenceModel.ModelName });

        var input = Assert.Single(response.Inputs);
        Assert.Equal(ReferenceModel.InputName, input.Name);
        Assert.Equal("FP32", input.Datatype);
        Assert.Equal([-1L, 3, 48, 192], input.Shape);
        var output = Assert.Single(response.Outputs);
        Assert.Equal(ReferenceModel.OutputName, output.Name);
        Assert.Equal("FP32", output.Datatype);
        Assert.Equal([-1L, 2], output.Shape);
    }

    [Theory]
    [InlineData(1, 101)]
    [InlineData(1, 102)]
    [InlineData(1, 103)]
    [InlineData(8, 201)]
    [InlineData(8, 202)]
    public async Task ModelInfer_RandomImages_MatchOnnxRuntime(int batch, int seed)
    {
        var images = RandomImages.Create(seed, batch);
        var expected = fixture.Reference.Run(images);

        var response = await Client.ModelInferAsync(Wire.TextDirectionRequest($"seed-{seed}", images));

        Assert.Equal(ReferenceModel.ModelName, response.ModelName);
        Assert.Equal("1", response.ModelVersion);
        Assert.Equal($"seed-{seed}", response.Id);
        var output = Assert.Single(response.Outputs);
        Assert.Equal([(long)batch, ReferenceModel.Classes], output.Shape);
        Wire.AssertClose(expected, Wire.Fp32Output(response, ReferenceModel.OutputName), Tolerance, $"batch {batch}, seed {seed}");
    }

    [Fact]
    public async Task ModelInfer_UnknownModel_NotFound()
    {
        var request = Wire.TextDirectionRequest("0", RandomImages.Create(1, 1));
        request.ModelName = "no_such_model";

        var exception = await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, exception.StatusCode);
    }

    [Fact]
    public async Task ModelInfer_WrongImageWidth_InvalidArgument()
    {
        var request = Wire.TextDirectionRequest("0", RandomImages.Create(1, 1));
        request.Inputs[0].Shape[3] = 96;
        request.Inputs[0].Shape[2] = 96;   // same volume (3*96*96 = 3*48*192), so only the shape is wrong

        var exception = await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
    }

    [Fact]
    public async Task ModelInfer_BatchAboveMaxBatchSize_InvalidArgument()
    {
        var request = Wire.TextDirectionRequest("0", RandomImages.Create(1, 33));

        var exception = await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
    }
}
