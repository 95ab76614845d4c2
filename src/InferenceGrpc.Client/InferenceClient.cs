using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Net.Client;
using Inference;
using InferenceGrpc.Client.Internal;

namespace InferenceGrpc.Client;

/// <summary>
/// Convenience calls over <see cref="GRPCInferenceService.GRPCInferenceServiceClient"/>. Failures
/// surface as the <see cref="RpcException"/> the call produced; nothing is retried or wrapped.
/// Use <see cref="RawClient"/> for any call not wrapped here, or to pass deadlines and headers.
/// </summary>
public sealed class InferenceClient : IDisposable
{
    /// <summary>Send and receive limit set by <see cref="Create"/> when no options are given: 64 MiB.</summary>
    public const int DefaultMaxMessageSize = 64 * 1024 * 1024;

    private readonly GrpcChannel? _ownedChannel;

    /// <summary>Wraps calls made through <paramref name="callInvoker"/>; the caller keeps owning its channel.</summary>
    public InferenceClient(CallInvoker callInvoker)
        : this(new GRPCInferenceService.GRPCInferenceServiceClient(callInvoker ?? throw new ArgumentNullException(nameof(callInvoker))))
    {
    }

    /// <summary>Wraps an existing generated client; the caller keeps owning its channel.</summary>
    public InferenceClient(GRPCInferenceService.GRPCInferenceServiceClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        RawClient = client;
    }

    private InferenceClient(GrpcChannel channel)
        : this(new GRPCInferenceService.GRPCInferenceServiceClient(channel))
    {
        _ownedChannel = channel;
    }

    /// <summary>The generated client, for every RPC and call option.</summary>
    public GRPCInferenceService.GRPCInferenceServiceClient RawClient { get; }

    /// <summary>
    /// Opens a channel to <paramref name="address"/> that this client owns and disposes.
    /// An address without a scheme (<c>localhost:8001</c>, as Triton's tools take it) gets <c>http://</c>.
    /// Without <paramref name="options"/> both message size limits are <see cref="DefaultMaxMessageSize"/>;
    /// given options are used as they are.
    /// </summary>
    public static InferenceClient Create(string address, GrpcChannelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        if (!address.Contains("://", StringComparison.Ordinal))
        {
            address = "http://" + address;
        }

        options ??= new GrpcChannelOptions
        {
            // Grpc.Net.Client's default receive limit is 4 MB: too small for image batches and embeddings.
            MaxReceiveMessageSize = DefaultMaxMessageSize,
            MaxSendMessageSize = DefaultMaxMessageSize,
        };
        return new InferenceClient(GrpcChannel.ForAddress(address, options));
    }

    /// <summary>Runs one inference.</summary>
    public async Task<InferResult> InferAsync(ModelInferRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await RawClient.ModelInferAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new InferResult(response);
    }

    public async Task<bool> ServerLiveAsync(CancellationToken cancellationToken = default) =>
        (await RawClient.ServerLiveAsync(new ServerLiveRequest(), cancellationToken: cancellationToken).ConfigureAwait(false)).Live;

    public async Task<bool> ServerReadyAsync(CancellationToken cancellationToken = default) =>
        (await RawClient.ServerReadyAsync(new ServerReadyRequest(), cancellationToken: cancellationToken).ConfigureAwait(false)).Ready;

    /// <param name="name">Model name.</param>
    /// <param name="version">Version; empty asks about the version the server would pick.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<bool> ModelReadyAsync(string name, string version = "", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(version);
        var request = new ModelReadyRequest { Name = name, Version = version };
        return (await RawClient.ModelReadyAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false)).Ready;
    }

    public async Task<ServerMetadataResponse> ServerMetadataAsync(CancellationToken cancellationToken = default) =>
        await RawClient.ServerMetadataAsync(new ServerMetadataRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);

    public async Task<ModelMetadataResponse> ModelMetadataAsync(string name, string version = "", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(version);
        var request = new ModelMetadataRequest { Name = name, Version = version };
        return await RawClient.ModelMetadataAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Triton's repository extension: the models the server knows, loaded or not.</summary>
    /// <param name="readyOnly">Only models that are ready for inference.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<RepositoryIndexResponse> RepositoryIndexAsync(bool readyOnly = false, CancellationToken cancellationToken = default)
    {
        var request = new RepositoryIndexRequest { Ready = readyOnly };
        return await RawClient.RepositoryIndexAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <c>ModelStreamInfer</c>: sends <paramref name="requests"/> while responses are read, then
    /// completes the request stream. Per-request failures arrive as responses with
    /// <see cref="ModelStreamInferResponse.ErrorMessage"/> set; a failed call throws its
    /// <see cref="RpcException"/>, and a failing <paramref name="requests"/> sequence rethrows its own
    /// exception after the call is cancelled. Stopping the enumeration early cancels the call.
    /// </summary>
    public async IAsyncEnumerable<ModelStreamInferResponse> StreamAsync(
        IAsyncEnumerable<ModelInferRequest> requests,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);

        // One token for the whole call, so a failed writer can stop the reader and vice versa.
        using var callCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var call = RawClient.ModelStreamInfer(cancellationToken: callCts.Token);
        var pump = new RequestPump(call.RequestStream, requests, callCts);
        var writing = pump.RunAsync();
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await call.ResponseStream.MoveNext(callCts.Token).ConfigureAwait(false);
                }
                catch (Exception) when (pump.SourceFailure is not null)
                {
                    // The call died because the pump cancelled it: the source's exception is the cause.
                    pump.SourceFailure.Throw();
                    throw;
                }

                if (!more)
                {
                    break;
                }

                yield return call.ResponseStream.Current;
            }
        }
        finally
        {
            // The caller stopped early or the server finished first: release a pump still
            // waiting on the source or the transport before leaving.
            if (!writing.IsCompleted)
            {
                await callCts.CancelAsync().ConfigureAwait(false);
            }

            await writing.ConfigureAwait(false);
        }

        pump.SourceFailure?.Throw();
    }

    public void Dispose() => _ownedChannel?.Dispose();
}
