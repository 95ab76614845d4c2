using System.Runtime.CompilerServices;
using System.Text.Json;
using Grpc.Core;
using Inference;
using InferenceGrpc.Cli.Batch;
using InferenceGrpc.Cli.Tests.Infrastructure;
using InferenceGrpc.Client;
using InferenceGrpc.Tests.Infrastructure;
using OutputTensor = Inference.ModelInferResponse.Types.InferOutputTensor;
using TensorMetadata = Inference.ModelMetadataResponse.Types.TensorMetadata;

namespace InferenceGrpc.Cli.Tests.Batch;

/// <summary>
/// Errors answered in band on the stream, against a scripted server: a transient one is retried as a unary call,
/// and a request of several rows refused as a whole is split to find the one bad row.
/// </summary>
public sealed class BatchInBandErrorTests : IDisposable
{
    private const float Poison = 666f;
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task InBandErrors_TransientRetried_WholeRequestRefusalSplitToRows()
    {
        // Arrange: rows 0-3 form request 0, which the stream refuses as if the queue were full and the first unary
        // call answers UNAVAILABLE; rows 4-7 form request 1, refused whole because row 5 is poison.
        var rows = Enumerable.Range(0, 8).Select(i => new[] { i, i == 5 ? Poison : -i }).ToArray();
        var input = Data.WriteJsonl(_dir.File("in.jsonl"), rows, "x");
        var output = _dir.File("out.jsonl");
        var unaryIds = new List<string>();
        var invoker = ScriptedServer(unaryIds);
        var settings = new BatchSettings("m", "", [input], null, output, null, [], 4,
            new DispatchOptions(4, TimeSpan.FromSeconds(60), 3, TimeSpan.Zero), Resume: false, Quiet: true);

        // Act
        var exitCode = await new BatchJob(settings, new InferenceClient(invoker), TextWriter.Null).RunAsync(CancellationToken.None);

        // Assert
        Assert.Equal(3, exitCode);
        Assert.Equal(["0", "0", "1", "1.0", "1.1", "1.2", "1.3"], unaryIds.Order(StringComparer.Ordinal));   // the two resolve concurrently
        var lines = Data.ReadJsonl(output);
        Assert.Equal([0, 1, 2, 3, 4, 6, 7], lines.Select(l => (int)l.Row));
        Assert.All(lines, l => Assert.Equal(rows[l.Row], l.Outputs["y"]));
        var error = JsonDocument.Parse(Assert.Single(File.ReadAllLines(output + ".errors.jsonl"))).RootElement;
        Assert.Equal(5, error.GetProperty("row").GetInt32());
        Assert.Equal("INVALID_ARGUMENT", error.GetProperty("status").GetString());
        Assert.Equal("poison", error.GetProperty("message").GetString());
    }

    private static FakeCallInvoker ScriptedServer(List<string> unaryIds)
    {
        var invoker = new FakeCallInvoker()
            .On<ModelMetadataRequest, ModelMetadataResponse>("ModelMetadata", _ => new ModelMetadataResponse
            {
                Name = "m",
                Inputs = { new TensorMetadata { Name = "x", Datatype = "FP32", Shape = { -1, 2 } } },
                Outputs = { new TensorMetadata { Name = "y", Datatype = "FP32", Shape = { -1, 2 } } },
            })
            .On<ModelConfigRequest, ModelConfigResponse>("ModelConfig", _ => new ModelConfigResponse { Config = new ModelConfig { MaxBatchSize = 8 } })
            .On<ModelInferRequest, ModelInferResponse>("ModelInfer", request =>
            {
                lock (unaryIds)
                {
                    unaryIds.Add(request.Id);
                    if (request.Id == "0" && unaryIds.Count(id => id == "0") == 1)
                    {
                        throw new RpcException(new Status(StatusCode.Unavailable, "exceeds maximum queue size"));
                    }
                }

                return HasPoison(request) ? throw new RpcException(new Status(StatusCode.InvalidArgument, "poison")) : Echo(request);
            });
        invoker.StreamHandler = requests => Stream(requests);
        return invoker;

        static async IAsyncEnumerable<ModelStreamInferResponse> Stream(
            IAsyncEnumerable<ModelInferRequest> requests, [EnumeratorCancellation] CancellationToken ct = default)
        {
            await foreach (var request in requests.WithCancellation(ct))
            {
                yield return request.Id == "0" || HasPoison(request)
                    ? new ModelStreamInferResponse { ErrorMessage = "refused", InferResponse = new ModelInferResponse { Id = request.Id } }
                    : new ModelStreamInferResponse { InferResponse = Echo(request) };
            }
        }
    }

    private static bool HasPoison(ModelInferRequest request) => Data.Floats(request.RawInputContents[0].ToByteArray()).Contains(Poison);

    // The model: y = x.
    private static ModelInferResponse Echo(ModelInferRequest request)
    {
        var response = new ModelInferResponse { ModelName = request.ModelName, Id = request.Id };
        response.Outputs.Add(new OutputTensor { Name = "y", Datatype = "FP32", Shape = { request.Inputs[0].Shape } });
        response.RawOutputContents.Add(request.RawInputContents[0]);
        return response;
    }
}
