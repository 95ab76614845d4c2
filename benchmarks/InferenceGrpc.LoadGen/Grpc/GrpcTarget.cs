using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Inference;
using InferenceGrpc.Client;
using InferenceGrpc.LoadGen.Payload;

namespace InferenceGrpc.LoadGen.Grpc;

/// <summary>The server under test: its channels, its readiness and what its model expects.</summary>
internal sealed class GrpcTarget : IDisposable
{
    private readonly InferenceClient[] _clients;

    private GrpcTarget(InferenceClient[] clients) => _clients = clients;

    public int Connections => _clients.Length;

    /// <summary>
    /// Opens <paramref name="connections"/> channels. Each may open further HTTP/2 connections when one reaches the
    /// server's stream limit (Kestrel allows 100 streams per connection), so 128 callers never queue in the client.
    /// </summary>
    public static GrpcTarget Connect(string server, int connections)
    {
        var clients = new InferenceClient[connections];
        for (var i = 0; i < connections; i++)
        {
            clients[i] = InferenceClient.Create(server, new GrpcChannelOptions
            {
                MaxReceiveMessageSize = InferenceClient.DefaultMaxMessageSize,
                MaxSendMessageSize = InferenceClient.DefaultMaxMessageSize,
                HttpHandler = new SocketsHttpHandler
                {
                    EnableMultipleHttp2Connections = true,
                    PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                },
                DisposeHttpClient = true,
            });
        }

        return new GrpcTarget(clients);
    }

    /// <summary>The raw client callers <paramref name="caller"/> uses (round robin over the channels).</summary>
    public GRPCInferenceService.GRPCInferenceServiceClient ClientFor(int caller) => _clients[caller % _clients.Length].RawClient;

    /// <summary>
    /// Waits until the model answers ModelMetadata (the one readiness probe both our server and the echo server
    /// implement), at most <paramref name="timeout"/>.
    /// </summary>
    /// <exception cref="TimeoutException">Not ready in time; the message carries the last error.</exception>
    public async Task<ModelMetadataResponse> WaitForModelAsync(string model, string version, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var last = "no answer";
        while (true)
        {
            try
            {
                return await _clients[0].RawClient.ModelMetadataAsync(
                    new ModelMetadataRequest { Name = model, Version = version },
                    deadline: DateTime.UtcNow.AddSeconds(5),
                    cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
            {
                last = $"{ex.StatusCode}: {ex.Status.Detail}";
            }

            if (stopwatch.Elapsed >= timeout)
            {
                throw new TimeoutException($"model '{model}' not ready after {timeout.TotalSeconds:0} s (last: {last})");
            }

            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        }
    }

    public static IReadOnlyList<TensorDescriptor> Inputs(ModelMetadataResponse metadata) =>
        metadata.Inputs.Select(i => new TensorDescriptor(i.Name, i.Datatype, i.Shape.ToArray())).ToArray();

    /// <summary>The request every call sends: built once, never changed, so callers share it.</summary>
    public static ModelInferRequest BuildRequest(string model, string version, IReadOnlyList<GeneratedInput> inputs, IReadOnlyList<string> outputs)
    {
        var builder = new InferRequestBuilder(model, version);
        foreach (var input in inputs)
        {
            builder.AddRawInput(input.Name, input.Datatype, input.Shape, input.Data);
        }

        foreach (var output in outputs)
        {
            builder.RequestOutput(output);
        }

        return builder.Build();
    }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }
}
