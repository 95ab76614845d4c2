using Grpc.Core;
using Inference;

namespace InferenceGrpc.EchoServer;

/// <summary>
/// ModelInfer and ModelStreamInfer answered with the request's own tensors: every input comes back as an output of
/// the same name, datatype and shape, its raw bytes shared (ByteString is immutable), so the response is as large as
/// the request and the only work is the transport's. Every other RPC answers UNIMPLEMENTED, except ModelMetadata.
/// </summary>
internal sealed class EchoInferenceService(ModelCatalog catalog) : GRPCInferenceService.GRPCInferenceServiceBase
{
    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context) =>
        catalog.TryGet(request.Name, out var metadata)
            ? Task.FromResult(metadata)
            : throw new RpcException(new Status(StatusCode.NotFound,
                $"model '{request.Name}' is not configured; the echo server knows [{string.Join(", ", catalog.Names)}]"));

    public override Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context) =>
        Task.FromResult(Echo(request));

    public override async Task ModelStreamInfer(
        IAsyncStreamReader<ModelInferRequest> requestStream, IServerStreamWriter<ModelStreamInferResponse> responseStream, ServerCallContext context)
    {
        // One at a time, in request order, as the real server answers a stream.
        var cancellationToken = context.CancellationToken;
        while (await requestStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(new ModelStreamInferResponse { InferResponse = Echo(requestStream.Current) }, cancellationToken)
                .ConfigureAwait(false);
        }
    }

    internal static ModelInferResponse Echo(ModelInferRequest request)
    {
        var response = new ModelInferResponse { ModelName = request.ModelName, ModelVersion = request.ModelVersion, Id = request.Id };
        var typed = request.RawInputContents.Count == 0;
        foreach (var input in request.Inputs)
        {
            var output = new ModelInferResponse.Types.InferOutputTensor { Name = input.Name, Datatype = input.Datatype };
            output.Shape.Add(input.Shape);
            if (typed && input.Contents is not null)
            {
                output.Contents = input.Contents;
            }

            response.Outputs.Add(output);
        }

        response.RawOutputContents.Add(request.RawInputContents);
        return response;
    }
}
