using Grpc.Core;
using Inference;
using InferenceGrpc.Server.Tests.Infrastructure;

namespace InferenceGrpc.Server.Tests.Services;

[Collection(ServerCollection.Name)]
public sealed class ModelInferTests(ServerFixture fixture)
{
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = fixture.Client;

    private static readonly float[] A = Requests.Random(3 * 16, seed: 1);
    private static readonly float[] B = Requests.Random(3 * 16, seed: 2);

    private static float[] Sum => A.Zip(B, (a, b) => a + b).ToArray();

    private static float[] Difference => A.Zip(B, (a, b) => a - b).ToArray();

    [Fact]
    public async Task ModelInfer_AddSub_ReturnsSumAndDifference()
    {
        var response = await _client.ModelInferAsync(Requests.Simple(A, B, id: "addsub"));

        Assert.Equal(ModelNames.Simple, response.ModelName);
        Assert.Equal("1", response.ModelVersion);
        Assert.Equal("addsub", response.Id);
        Assert.Equal(["OUTPUT0", "OUTPUT1"], response.Outputs.Select(o => o.Name));
        Assert.All(response.Outputs, o => Assert.Equal([3L, 16L], o.Shape));
        Assert.All(response.Outputs, o => Assert.Equal("FP32", o.Datatype));
        Assert.Equal(Sum, Requests.ToFloats(response.RawOutputContents[0]));
        Assert.Equal(Difference, Requests.ToFloats(response.RawOutputContents[1]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public async Task ModelInfer_BatchWithinMaxBatchSize_ReturnsEveryRow(int batch)
    {
        var a = Requests.Random(batch * 16, seed: 3);
        var b = Requests.Random(batch * 16, seed: 4);

        var response = await _client.ModelInferAsync(Requests.Simple(a, b));

        Assert.Equal([batch, 16L], response.Outputs[0].Shape);
        Assert.Equal(a.Zip(b, (x, y) => x + y), Requests.ToFloats(response.RawOutputContents[0]));
    }

    [Fact]
    public async Task ModelInfer_InputsInReverseOrder_ReturnsSameValues()
    {
        var request = Requests.For(ModelNames.Simple)
            .WithRaw("INPUT1", "FP32", [3, 16], Requests.Floats(B))
            .WithRaw("INPUT0", "FP32", [3, 16], Requests.Floats(A));

        var response = await _client.ModelInferAsync(request);

        Assert.Equal(Difference, Requests.ToFloats(response.RawOutputContents[1]));
    }

    [Fact]
    public async Task ModelInfer_TypedFp32Inputs_ReturnsSumAndDifference()
    {
        var a = new InferTensorContents();
        a.Fp32Contents.Add(A);
        var b = new InferTensorContents();
        b.Fp32Contents.Add(B);
        var request = Requests.For(ModelNames.Simple).WithTyped("INPUT0", "FP32", [3, 16], a).WithTyped("INPUT1", "FP32", [3, 16], b);

        var response = await _client.ModelInferAsync(request);

        Assert.Equal(Sum, Requests.ToFloats(response.RawOutputContents[0]));
        Assert.Equal(Difference, Requests.ToFloats(response.RawOutputContents[1]));
    }

    [Fact]
    public async Task ModelInfer_OneRequestedOutput_ReturnsOnlyThatOutput()
    {
        var response = await _client.ModelInferAsync(Requests.Simple(A, B).WithOutputs("OUTPUT1"));

        Assert.Equal("OUTPUT1", Assert.Single(response.Outputs).Name);
        Assert.Equal(Difference, Requests.ToFloats(Assert.Single(response.RawOutputContents)));
    }

    [Fact]
    public async Task ModelInfer_OutputsRequestedInReverseOrder_ReturnsThemInRequestedOrder()
    {
        var response = await _client.ModelInferAsync(Requests.Simple(A, B).WithOutputs("OUTPUT1", "OUTPUT0"));

        Assert.Equal(["OUTPUT1", "OUTPUT0"], response.Outputs.Select(o => o.Name));
        Assert.Equal(Difference, Requests.ToFloats(response.RawOutputContents[0]));
        Assert.Equal(Sum, Requests.ToFloats(response.RawOutputContents[1]));
    }

    [Fact]
    public async Task ModelInfer_UnknownRequestedOutput_ThrowsInvalidArgument()
    {
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument,
            _client.ModelInferAsync(Requests.Simple(A, B).WithOutputs("OUTPUT0", "OUTPUT9")), ModelNames.Simple, "OUTPUT9");
    }

    [Fact]
    public async Task ModelInfer_OutputRequestedTwice_ThrowsInvalidArgument()
    {
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument,
            _client.ModelInferAsync(Requests.Simple(A, B).WithOutputs("OUTPUT0", "OUTPUT0")), "OUTPUT0");
    }

    [Theory]
    [InlineData("", "2", 2f)]
    [InlineData("1", "1", 1f)]
    [InlineData("2", "2", 2f)]
    public async Task ModelInfer_VersionChoice_RunsThatVersion(string version, string expectedVersion, float factor)
    {
        var input = Requests.Sequence(4, 1.5f, start: -2f);
        var request = Requests.For(ModelNames.Scale, version).WithRaw("INPUT0", "FP32", [1, 4], Requests.Floats(input));

        var response = await _client.ModelInferAsync(request);

        Assert.Equal(expectedVersion, response.ModelVersion);
        Assert.Equal(input.Select(x => x * factor), Requests.ToFloats(Assert.Single(response.RawOutputContents)));
    }

    [Theory]
    [InlineData("3")]
    [InlineData("0")]
    [InlineData("abc")]
    [InlineData("-2")]
    [InlineData("1.0")]
    public async Task ModelInfer_UnknownVersion_ThrowsNotFound(string version)
    {
        var request = Requests.For(ModelNames.Scale, version).WithRaw("INPUT0", "FP32", [1, 4], Requests.Floats(new float[4]));

        await RpcAssert.FailsAsync(StatusCode.NotFound, _client.ModelInferAsync(request), ModelNames.Scale, version);
    }

    [Fact]
    public async Task ModelInfer_NonBatchingModelWithItsFixedShape_ReturnsInput()
    {
        var input = Requests.Sequence(6, 1f);
        var request = Requests.For(ModelNames.NoBatch).WithRaw("INPUT0", "FP32", [2, 3], Requests.Floats(input));

        var response = await _client.ModelInferAsync(request);

        Assert.Equal([2L, 3L], Assert.Single(response.Outputs).Shape);
        Assert.Equal(input, Requests.ToFloats(Assert.Single(response.RawOutputContents)));
    }

    [Fact]
    public async Task ModelInfer_EmptyRequestId_ReturnsEmptyId()
    {
        var response = await _client.ModelInferAsync(Requests.IdentityFp32());

        Assert.Equal("", response.Id);
    }

    [Fact]
    public async Task ModelInfer_ConcurrentRequests_EachGetsItsOwnResult()
    {
        var calls = Enumerable.Range(0, 32).Select(async i =>
        {
            var a = Requests.Sequence(16, 1f, start: i);
            var b = Requests.Sequence(16, 0f, start: i);
            var response = await _client.ModelInferAsync(Requests.Simple(a, b, id: $"c{i}"));
            return (i, response);
        });

        foreach (var (i, response) in await Task.WhenAll(calls))
        {
            Assert.Equal($"c{i}", response.Id);
            Assert.Equal(Requests.Sequence(16, 1f, start: 2f * i), Requests.ToFloats(response.RawOutputContents[0]));
        }
    }
}
