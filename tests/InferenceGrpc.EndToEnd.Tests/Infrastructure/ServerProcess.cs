using System.Text.RegularExpressions;
using Grpc.Core;
using Grpc.Net.Client;
using Inference;

namespace InferenceGrpc.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The built server running as a child process, on a free port of 127.0.0.1, with a gRPC client for it.
/// Disposing closes the channel and kills the process if it still runs.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    /// <summary>How long the server may take to log its endpoint, or to become ready.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private ServerProcess(ChildProcess process, Uri address)
    {
        Process = process;
        Address = address;
        Channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 });
        Client = new GRPCInferenceService.GRPCInferenceServiceClient(Channel);
    }

    public ChildProcess Process { get; }

    /// <summary>The endpoint the server logged, e.g. http://127.0.0.1:41235.</summary>
    public Uri Address { get; }

    public GrpcChannel Channel { get; }

    public GRPCInferenceService.GRPCInferenceServiceClient Client { get; }

    /// <summary>The flags every test server gets: the bundled repository, loopback, a free port, the CPU.</summary>
    public static IEnumerable<string> StandardArgs(params string[] more) =>
    [
        "--model-repository", BuildOutputs.ModelRepository,
        "--grpc-address", "127.0.0.1",
        "--grpc-port", "0",
        "--metrics-port", "0",
        "--execution-provider", "cpu",
        .. more,
    ];

    /// <summary>Starts the server and waits for its GrpcListening line; not for readiness.</summary>
    public static async Task<ServerProcess> StartAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var process = ChildProcess.StartDotnet(BuildOutputs.ServerAssembly, args, environment);
        try
        {
            var listening = await process.WaitForOutputAsync(ListeningLine(), StartTimeout).ConfigureAwait(false);
            return new ServerProcess(process, new Uri(listening.Groups["address"].Value));
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Polls ServerReady until it says true.</summary>
    /// <exception cref="TimeoutException">Not ready within <see cref="StartTimeout"/>; the message holds the server's output.</exception>
    public async Task WaitUntilReadyAsync()
    {
        using var deadline = new CancellationTokenSource(StartTimeout);
        while (!deadline.IsCancellationRequested && !Process.HasExited)
        {
            try
            {
                var response = await Client.ServerReadyAsync(new ServerReadyRequest(), cancellationToken: deadline.Token).ConfigureAwait(false);
                if (response.Ready)
                {
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                break;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && deadline.IsCancellationRequested)
            {
                break;
            }
        }

        throw new TimeoutException($"The server did not become ready within {StartTimeout.TotalSeconds} s.\n{Process.Describe()}");
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await Process.DisposeAsync().ConfigureAwait(false);
    }

    // HostLog.GrpcListening: "gRPC endpoint listening on {Address}" (simple or JSON console formatter).
    [GeneratedRegex(@"gRPC endpoint listening on (?<address>http://[^\s""]+)")]
    private static partial Regex ListeningLine();
}
