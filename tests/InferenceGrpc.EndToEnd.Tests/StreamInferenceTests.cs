using System.Globalization;
using Grpc.Core;
using InferenceGrpc.EndToEnd.Tests.Infrastructure;

namespace InferenceGrpc.EndToEnd.Tests;

/// <summary>ModelStreamInfer on the shared server: many requests on one stream, written while responses are read.</summary>
[Collection(ServerCollection.Name)]
public sealed class StreamInferenceTests(ServerFixture fixture)
{
    private const int Requests = 1000;
    private const int Seed = 20_240_601;
    private const int ReferenceBatch = 32;
    private const float Tolerance = 1e-5f;

    /// <summary>Image <paramref name="index"/> of the stream, regenerated from its own seed so none is kept around.</summary>
    private static float[] Image(int index) => RandomImages.Create(Seed + index, 1);

    [Fact]
    public async Task ModelStreamInfer_ThousandRequests_ResponsesInOrderAndMatchOnnxRuntime()
    {
        var expected = ReferenceOutputs();
        using var call = fixture.Server.Client.ModelStreamInfer();

        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < Requests; i++)
            {
                await call.RequestStream.WriteAsync(Wire.TextDirectionRequest(i.ToString(CultureInfo.InvariantCulture), Image(i)));
            }

            await call.RequestStream.CompleteAsync();
        });

        var received = 0;
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            Assert.Equal("", response.ErrorMessage);
            Assert.Equal(received.ToString(CultureInfo.InvariantCulture), response.InferResponse.Id);
            var output = Wire.Fp32Output(response.InferResponse, ReferenceModel.OutputName);
            Wire.AssertClose(expected.AsSpan(received * ReferenceModel.Classes, ReferenceModel.Classes), output, Tolerance, $"request {received}");
            received++;
        }

        await writer;
        Assert.Equal(Requests, received);
    }

    /// <summary>The reference outputs of every request, [Requests, Classes], run in batches to keep it quick.</summary>
    private float[] ReferenceOutputs()
    {
        var outputs = new float[Requests * ReferenceModel.Classes];
        var images = new float[ReferenceBatch * ReferenceModel.ImageSize];
        for (var start = 0; start < Requests; start += ReferenceBatch)
        {
            var count = Math.Min(ReferenceBatch, Requests - start);
            var batch = count == ReferenceBatch ? images : new float[count * ReferenceModel.ImageSize];
            for (var i = 0; i < count; i++)
            {
                Image(start + i).CopyTo(batch, i * ReferenceModel.ImageSize);
            }

            fixture.Reference.Run(batch).CopyTo(outputs, start * ReferenceModel.Classes);
        }

        return outputs;
    }
}
