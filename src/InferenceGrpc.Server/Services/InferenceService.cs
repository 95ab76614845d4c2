using System.Globalization;
using System.Reflection;
using System.Threading.Channels;
using Grpc.Core;
using Inference;
using InferenceGrpc.Core.Diagnostics;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.Server.Health;
using InferenceGrpc.Server.Hosting;
using Microsoft.Extensions.Options;
using InferenceGrpc.Server.Protocol;
using DataType = InferenceGrpc.Core.Tensors.DataType;

namespace InferenceGrpc.Server.Services;

/// <summary>
/// The Open Inference Protocol service with Triton's extensions. Thin: decode, hand to Core, encode. Errors are
/// Core's <see cref="InferenceException"/>s, turned into status codes by the interceptor (unary) or answered in
/// band (streams). RPCs not overridden here answer UNIMPLEMENTED.
/// </summary>
internal sealed class InferenceService(InferenceExecutor executor, ModelRegistry registry, ServerHealth health, IOptions<ServerOptions> options, IHostApplicationLifetime lifetime, InferenceMetrics metrics, ModelLoadingService control, ILogger<InferenceService> logger, StreamTracker streams)
    : GRPCInferenceService.GRPCInferenceServiceBase
{
    public const string ServerName = "inferencegrpc";

    private static readonly string ServerVersion =
        typeof(InferenceService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private readonly RequestLimits _limits = new(options.Value.MaxTensorElements, options.Value.MaxRequestBytes, options.Value.MaxInputsPerRequest);

    // The Triton extensions this server implements, as ServerMetadata advertises them.
    private static readonly string[] Extensions = ["model_configuration", "model_repository", "statistics", "classification"];

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

        ModelVersion? chosen;
        if (string.IsNullOrEmpty(request.Version))
        {
            chosen = model.DefaultVersion;
        }
        else
        {
            if (!long.TryParse(request.Version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ||
                !model.Versions.TryGetValue(number, out var version))
            {
                throw InferenceException.VersionNotFound(request.Name, request.Version, model.Versions.Keys.Order());
            }

            chosen = version;
        }

        // The effective config of a loaded version (defaults applied, completed from its graph), else the file's.
        return Task.FromResult(new ModelConfigResponse { Config = ModelConfigMapper.ToWire(chosen?.Config ?? model.Config, chosen?.Signature) });
    }

    public override Task<ModelStatisticsResponse> ModelStatistics(ModelStatisticsRequest request, ServerCallContext context)
    {
        // As Triton: no name means every model; a name that is not loaded is NOT_FOUND.
        var response = new ModelStatisticsResponse();
        IEnumerable<RegisteredModel> models;
        if (string.IsNullOrEmpty(request.Name))
        {
            models = registry.Models.OrderBy(m => m.Name, StringComparer.Ordinal);
        }
        else if (registry.TryGetModel(request.Name, out var model))
        {
            models = [model];
        }
        else
        {
            throw InferenceException.ModelNotFound(request.Name);
        }

        foreach (var model in models)
        {
            foreach (var version in model.Versions.Values.OrderBy(v => v.Version))
            {
                if (version.Scheduler is { } scheduler &&
                    (string.IsNullOrEmpty(request.Version) || request.Version == version.Version.ToString(CultureInfo.InvariantCulture)))
                {
                    response.ModelStats.Add(StatisticsMapper.ToWire(model.Name, version.Version, scheduler.Statistics));
                }
            }
        }

        if (!string.IsNullOrEmpty(request.Version) && response.ModelStats.Count == 0)
        {
            throw InferenceException.VersionNotFound(request.Name, request.Version, models.SelectMany(m => m.Versions.Keys).Order());
        }

        return Task.FromResult(response);
    }

    public override async Task<RepositoryModelLoadResponse> RepositoryModelLoad(RepositoryModelLoadRequest request, ServerCallContext context)
    {
        RequireExplicitControl();
        string? configOverride = null;
        foreach (var (key, value) in request.Parameters)
        {
            if (key == "config" && value.ParameterChoiceCase == ModelRepositoryParameter.ParameterChoiceOneofCase.StringParam)
            {
                configOverride = value.StringParam;
            }
            else
            {
                throw new InferenceException(InferenceErrorKind.InvalidArgument,
                    $"RepositoryModelLoad parameter '{key}' is not supported; 'config' (a string_param holding the model config as JSON) is");
            }
        }

        await control.LoadModelAsync(request.ModelName, configOverride, context.CancellationToken).ConfigureAwait(false);
        return new RepositoryModelLoadResponse();
    }

    public override async Task<RepositoryModelUnloadResponse> RepositoryModelUnload(RepositoryModelUnloadRequest request, ServerCallContext context)
    {
        RequireExplicitControl();
        await control.UnloadModelAsync(request.ModelName, context.CancellationToken).ConfigureAwait(false);
        return new RepositoryModelUnloadResponse();
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
        RefuseWhileDraining();
        var decoded = Decode(request, context.Deadline);
        using var result = await executor.InferAsync(decoded, context.CancellationToken).ConfigureAwait(false);
        return ResponseEncoder.Encode(result, request.Id);
    }

    public override async Task ModelStreamInfer(
        IAsyncStreamReader<ModelInferRequest> requestStream,
        IServerStreamWriter<ModelStreamInferResponse> responseStream,
        ServerCallContext context)
    {
        RefuseWhileDraining();
        streams.Started();
        try
        {
            await ServeStreamAsync(requestStream, responseStream, context).ConfigureAwait(false);
        }
        finally
        {
            streams.Finished();
        }
    }

    private async Task ServeStreamAsync(
        IAsyncStreamReader<ModelInferRequest> requestStream,
        IServerStreamWriter<ModelStreamInferResponse> responseStream,
        ServerCallContext context)
    {
        // Each message is scheduled like a unary request as soon as it arrives, so one stream can fill batches;
        // a single writer answers them in request order. At most StreamMaxInflight requests of a stream are in
        // the server at once: past that, reading pauses and HTTP/2 flow control slows the client.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var inflight = Channel.CreateBounded<StreamItem>(new BoundedChannelOptions(options.Value.StreamMaxInflight)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        var writer = WriteResponsesAsync(inflight.Reader, responseStream, stop);
        Exception? readFailure = null;

        // On shutdown the stream stops taking requests, answers those in flight, then ends UNAVAILABLE so the
        // client retries elsewhere; an idle stream must not hold the process until the exit timeout.
        using var draining = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, lifetime.ApplicationStopping);
        try
        {
            while (await requestStream.MoveNext(draining.Token).ConfigureAwait(false))
            {
                var request = requestStream.Current;
                StreamItem item;
                try
                {
                    var decoded = Decode(request, context.Deadline);
                    item = new StreamItem(request, executor.InferAsync(decoded, stop.Token), null);
                }
                catch (InferenceException ex)
                {
                    item = new StreamItem(request, null, ex);
                }

                try
                {
                    await inflight.Writer.WriteAsync(item, stop.Token).ConfigureAwait(false);
                }
                catch
                {
                    await DiscardAsync(item).ConfigureAwait(false);
                    throw;
                }
            }
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !stop.IsCancellationRequested)
        {
            // Draining: fall through and answer what is in flight.
        }
        catch (Exception ex)
        {
            readFailure = ex;
            await stop.CancelAsync().ConfigureAwait(false);
        }

        inflight.Writer.TryComplete();
        try
        {
            await writer.ConfigureAwait(false);
        }
        catch (Exception) when (readFailure is not null)
        {
            // The read side's failure is the one to report.
        }

        if (readFailure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(readFailure);
        }

        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "the server is shutting down; retry on another instance"));
        }
    }

    private async Task WriteResponsesAsync(
        ChannelReader<StreamItem> items, IServerStreamWriter<ModelStreamInferResponse> responses, CancellationTokenSource stop)
    {
        try
        {
            while (await items.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (items.TryRead(out var item))
                {
                    if (stop.IsCancellationRequested)
                    {
                        await DiscardAsync(item).ConfigureAwait(false);
                        continue;
                    }

                    await responses.WriteAsync(await RespondAsync(item).ConfigureAwait(false), stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            // The client went away or a write failed: stop reading, and release what is still in flight.
            await stop.CancelAsync().ConfigureAwait(false);
            while (items.TryRead(out var item))
            {
                await DiscardAsync(item).ConfigureAwait(false);
            }

            throw;
        }
    }

    private async Task<ModelStreamInferResponse> RespondAsync(StreamItem item)
    {
        var failure = item.Error;
        if (item.Result is { } pending)
        {
            try
            {
                using var result = await pending.ConfigureAwait(false);
                return new ModelStreamInferResponse { InferResponse = ResponseEncoder.Encode(result, item.Request.Id) };
            }
            catch (InferenceException ex) when (ex.Kind != InferenceErrorKind.Cancelled)
            {
                failure = ex;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A bug must cost one answer, not the caller's whole stream: answered in band, without internals.
                StreamLog.UnexpectedError(logger, item.Request.Id, ex);
                failure = new InferenceException(InferenceErrorKind.Internal, "internal server error");
            }
        }

        // Answered in band, with the request's id, and the stream goes on serving.
        var request = item.Request;
        return new ModelStreamInferResponse
        {
            ErrorMessage = failure!.Message,
            InferResponse = new ModelInferResponse { ModelName = request.ModelName, ModelVersion = request.ModelVersion, Id = request.Id },
        };
    }

    private static async Task DiscardAsync(StreamItem item)
    {
        if (item.Result is { } pending)
        {
            try
            {
                (await pending.ConfigureAwait(false)).Dispose();
            }
            catch (Exception)
            {
                // Nobody is listening for this answer any more.
            }
        }
    }

    /// <summary>A stream request in flight: its task, or the error it was refused with at once.</summary>
    private readonly record struct StreamItem(ModelInferRequest Request, Task<InferenceResult>? Result, InferenceException? Error);

    private void RefuseWhileDraining()
    {
        if (health.IsDraining)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "the server is shutting down; retry on another instance"));
        }
    }

    private void RequireExplicitControl()
    {
        // As Triton: only explicit model control takes load and unload requests.
        if (!options.Value.ExplicitModelControl)
        {
            throw new RpcException(new Status(StatusCode.Unavailable,
                $"explicit model load / unload is not allowed in model control mode '{options.Value.ModelControlMode}'; start the server with --model-control-mode explicit"));
        }
    }

    /// <summary>Decodes, counting a request the wire format already rejects like any other invalid request.</summary>
    private InferenceRequest Decode(ModelInferRequest request, DateTime deadline)
    {
        try
        {
            return RequestDecoder.Decode(request, _limits, deadline);
        }
        catch (InferenceException ex)
        {
            var tags = registry.TryGetModel(request.ModelName, out _) ? VersionTags.ForModel(request.ModelName) : VersionTags.Unknown;
            metrics.RecordRequest(tags, InferenceMetrics.Outcome(ex.Kind), TimeSpan.Zero);
            throw;
        }
    }

    private static ModelMetadataResponse.Types.TensorMetadata Metadata(ModelSignature signature, Core.Tensors.TensorSpec spec)
    {
        var metadata = new ModelMetadataResponse.Types.TensorMetadata { Name = spec.Name, Datatype = spec.DataType.ToWireName() };
        metadata.Shape.Add(signature.FullShape(spec));
        return metadata;
    }
}

// Event ids 310-319: streams.
internal static partial class StreamLog
{
    [LoggerMessage(310, LogLevel.Error, "A ModelStreamInfer request '{RequestId}' failed inside the server; answered in band", EventName = "StreamRequestCrashed")]
    public static partial void UnexpectedError(ILogger logger, string requestId, Exception exception);
}
