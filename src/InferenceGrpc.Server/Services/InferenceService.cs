using System.Globalization;
using System.Reflection;
using Grpc.Core;
using Inference;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.Server.Health;
using InferenceGrpc.Server.Protocol;
using DataType = InferenceGrpc.Core.Tensors.DataType;

namespace InferenceGrpc.Server.Services;

/// <summary>
/// The Open Inference Protocol service with Triton's extensions. Thin: decode, hand to Core, encode. Errors are
/// Core's <see cref="InferenceException"/>s, turned into status codes by the interceptor (unary) or answered in
/// band (streams). RPCs not overridden here answer UNIMPLEMENTED.
/// </summary>
internal sealed class InferenceService(InferenceExecutor executor, ModelRegistry registry, ServerHealth health)
    : GRPCInferenceService.GRPCInferenceServiceBase
{
    public const string ServerName = "inferencegrpc";

    private static readonly string ServerVersion =
        typeof(InferenceService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    // The Triton extensions this server implements, as ServerMetadata advertises them.
    private static readonly string[] Extensions = ["model_configuration"];

    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = health.IsLive });

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = health.IsReady });

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context)
    {
        // As Triton: a model that is unknown or not loaded is simply not ready; this is a probe, not an error.
        bool ready;
        try
        {
            registry.ResolveReady(request.Name, request.Version);
            ready = true;
        }
        catch (InferenceException)
        {
            ready = false;
        }

        return Task.FromResult(new ModelReadyResponse { Ready = ready });
    }

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context)
    {
        var response = new ServerMetadataResponse { Name = ServerName, Version = ServerVersion };
        response.Extensions.Add(Extensions);
        return Task.FromResult(response);
    }

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        var version = registry.ResolveReady(request.Name, request.Version);
        registry.TryGetModel(request.Name, out var model);
        var signature = version.Signature!;
        var response = new ModelMetadataResponse { Name = version.ModelName, Platform = version.Config.Platform };
        response.Versions.Add(model!.Versions.Keys.Order().Select(v => v.ToString(CultureInfo.InvariantCulture)));
        foreach (var input in signature.Inputs)
        {
            response.Inputs.Add(Metadata(signature, input));
        }

        foreach (var output in signature.Outputs)
        {
            response.Outputs.Add(Metadata(signature, output));
        }

        return Task.FromResult(response);
    }

    public override Task<ModelConfigResponse> ModelConfig(ModelConfigRequest request, ServerCallContext context)
    {
        if (!registry.TryGetModel(request.Name, out var model))
        {
            throw InferenceException.ModelNotFound(request.Name);
        }

        ModelSignature? signature;
        if (string.IsNullOrEmpty(request.Version))
        {
            signature = model.DefaultVersion?.Signature;
        }
        else
        {
            if (!long.TryParse(request.Version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ||
                !model.Versions.TryGetValue(number, out var version))
            {
                throw InferenceException.VersionNotFound(request.Name, request.Version, model.Versions.Keys.Order());
            }

            signature = version.Signature;
        }

        return Task.FromResult(new ModelConfigResponse { Config = ModelConfigMapper.ToWire(model.Config, signature) });
    }

    public override Task<RepositoryIndexResponse> RepositoryIndex(RepositoryIndexRequest request, ServerCallContext context)
    {
        var response = new RepositoryIndexResponse();
        foreach (var model in registry.Models.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            if (model.Versions.Count == 0 && !request.Ready)
            {
                response.Models.Add(new RepositoryIndexResponse.Types.ModelIndex
                {
                    Name = model.Name,
                    State = ModelState.Unavailable.ToWireName(),
                    Reason = model.Reason ?? "",
                });
            }

            foreach (var version in model.Versions.Values.OrderBy(v => v.Version))
            {
                if (request.Ready && version.State != ModelState.Ready)
                {
                    continue;
                }

                response.Models.Add(new RepositoryIndexResponse.Types.ModelIndex
                {
                    Name = model.Name,
                    Version = version.Version.ToString(CultureInfo.InvariantCulture),
                    State = version.State.ToWireName(),
                    Reason = version.Reason ?? "",
                });
            }
        }

        return Task.FromResult(response);
    }

    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        var decoded = RequestDecoder.Decode(request);
        using var result = await executor.InferAsync(decoded, context.CancellationToken).ConfigureAwait(false);
        return ResponseEncoder.Encode(result, request.Id);
    }

    public override async Task ModelStreamInfer(
        IAsyncStreamReader<ModelInferRequest> requestStream,
        IServerStreamWriter<ModelStreamInferResponse> responseStream,
        ServerCallContext context)
    {
        // One request at a time, so responses come back in request order. A failed request (bad input, or a
        // sanitised INTERNAL) is answered in band and the stream goes on serving; only cancellation ends it.
        var cancellationToken = context.CancellationToken;
        while (await requestStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            var request = requestStream.Current;
            ModelStreamInferResponse response;
            try
            {
                var decoded = RequestDecoder.Decode(request);
                using var result = await executor.InferAsync(decoded, cancellationToken).ConfigureAwait(false);
                response = new ModelStreamInferResponse { InferResponse = ResponseEncoder.Encode(result, request.Id) };
            }
            catch (InferenceException ex) when (ex.Kind != InferenceErrorKind.Cancelled)
            {
                response = new ModelStreamInferResponse
                {
                    ErrorMessage = ex.Message,
                    InferResponse = new ModelInferResponse { ModelName = request.ModelName, ModelVersion = request.ModelVersion, Id = request.Id },
                };
            }

            await responseStream.WriteAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    private static ModelMetadataResponse.Types.TensorMetadata Metadata(ModelSignature signature, Core.Tensors.TensorSpec spec)
    {
        var metadata = new ModelMetadataResponse.Types.TensorMetadata { Name = spec.Name, Datatype = spec.DataType.ToWireName() };
        metadata.Shape.Add(signature.FullShape(spec));
        return metadata;
    }
}
