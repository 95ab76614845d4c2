using Grpc.Core;
using Inference;
using InferenceGrpc.Server.Tests.Infrastructure;

namespace InferenceGrpc.Server.Tests.Services;

[Collection(ServerCollection.Name)]
public sealed class ModelStreamInferTests(ServerFixture fixture)
{
    private const int RequestCount = 200;

    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = fixture.Client;

    private static float[] Input0(int i) => Requests.Sequence(16, 1f, start: i);

    private static float[] Input1(int i) => Enumerable.Repeat(i * 0.5f, 16).ToArray();

    private static bool IsInvalid(int i) => i % 5 == 4;

    // Every 5th request is invalid, in one of four ways; the second item is what its error must name.
    private static (ModelInferRequest Request, string Names) Build(int i)
    {
        var id = $"req-{i}";
        var valid = Requests.Simple(Input0(i), Input1(i), id);
        if (!IsInvalid(i))
        {
            return (valid, "");
        }

        switch (i / 5 % 4)
        {
            case 0:
                return (Requests.For(ModelNames.Simple, id: id).WithRaw("INPUT0", "FP32", [1, 16], Requests.Floats(Input0(i))), "'INPUT1'");
            case 1:
                valid.Inputs[0].Datatype = "INT32";
                return (valid, "'INPUT0'");
            case 2:
                return (Requests.For(ModelNames.Simple, id: id)
                    .WithRaw("INPUT0", "FP32", [1, 16], Requests.Floats(Input0(i)))
                    .WithRaw("INPUT1", "FP32", [1, 16], Requests.Floats(Input1(i))[..^1]), "'INPUT1'");
            default:
                valid.ModelName = "no_such_model";
                return (valid, "no_such_model");
        }
    }

    private static void AssertValidResponse(int i, ModelStreamInferResponse response)
    {
        Assert.Equal("", response.ErrorMessage);
        Assert.Equal($"req-{i}", response.InferResponse.Id);
        Assert.Equal(ModelNames.Simple, response.InferResponse.ModelName);
        Assert.Equal(Input0(i).Zip(Input1(i), (a, b) => a + b), Requests.ToFloats(response.InferResponse.RawOutputContents[0]));
        Assert.Equal(Input0(i).Zip(Input1(i), (a, b) => a - b), Requests.ToFloats(response.InferResponse.RawOutputContents[1]));
    }

    [Fact]
    public async Task ModelStreamInfer_MixedValidAndInvalidRequests_AnswersEachInOrderAndKeepsServing()
    {
        using var call = _client.ModelStreamInfer();
        var writes = Task.Run(async () =>
        {
            for (var i = 0; i < RequestCount; i++)
            {
                await call.RequestStream.WriteAsync(Build(i).Request);
            }
        });

        for (var i = 0; i < RequestCount; i++)
        {
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), $"the stream ended before response {i}");
            var response = call.ResponseStream.Current;
            if (IsInvalid(i))
            {
                Assert.Contains(Build(i).Names, response.ErrorMessage, StringComparison.Ordinal);
                Assert.Equal($"req-{i}", response.InferResponse.Id);
                Assert.Empty(response.InferResponse.RawOutputContents);
            }
            else
            {
                AssertValidResponse(i, response);
            }
        }

        await writes;

        // After 40 errors the same stream still serves.
        await call.RequestStream.WriteAsync(Build(RequestCount).Request);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        AssertValidResponse(RequestCount, call.ResponseStream.Current);

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task ModelStreamInfer_ErrorResponse_EchoesModelNameAndVersion()
    {
        using var call = _client.ModelStreamInfer();
        var request = Requests.For(ModelNames.Scale, version: "9", id: "bad-version").WithRaw("INPUT0", "FP32", [1, 4], new byte[16]);

        await call.RequestStream.WriteAsync(request);
        await call.RequestStream.CompleteAsync();

        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var response = call.ResponseStream.Current;
        Assert.Contains(ModelNames.Scale, response.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(ModelNames.Scale, response.InferResponse.ModelName);
        Assert.Equal("9", response.InferResponse.ModelVersion);
        Assert.Equal("bad-version", response.InferResponse.Id);
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
    }

    [Fact]
    public async Task ModelStreamInfer_FailureInsideOnnxRuntime_AnswersInBandAndKeepsServing()
    {
        using var call = _client.ModelStreamInfer();

        await call.RequestStream.WriteAsync(MalformedRequests.Get("failure inside ONNX Runtime").Build());
        await call.RequestStream.WriteAsync(Build(0).Request);
        await call.RequestStream.CompleteAsync();

        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Contains(ModelNames.AddSubAnyLength, call.ResponseStream.Current.ErrorMessage, StringComparison.Ordinal);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        AssertValidResponse(0, call.ResponseStream.Current);
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
    }

    [Fact]
    public async Task ModelStreamInfer_NoRequests_EndsWithOk()
    {
        using var call = _client.ModelStreamInfer();

        await call.RequestStream.CompleteAsync();

        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }
}
