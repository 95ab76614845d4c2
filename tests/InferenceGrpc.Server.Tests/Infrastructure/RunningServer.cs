using Grpc.Net.Client;
using Inference;
using InferenceGrpc.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace InferenceGrpc.Server.Tests.Infrastructure;

/// <summary>
/// The real server (Kestrel, HTTP/2 cleartext on a free loopback port, CPU execution provider) over a repository,
/// started and with its models loaded, plus a channel to it.
/// </summary>
internal sealed class RunningServer : IAsyncDisposable
{
    // A bound, not a delay: loading a few tiny models takes well under a second.
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromSeconds(60);

    private RunningServer(WebApplication app, GrpcChannel channel)
    {
        App = app;
        Channel = channel;
        Client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
    }

    public WebApplication App { get; }

    public GrpcChannel Channel { get; }

    public GRPCInferenceService.GRPCInferenceServiceClient Client { get; }

    /// <summary>Starts a server over <paramref name="repository"/> and waits until its first load has finished.</summary>
    /// <param name="settings">Configuration that wins over the test defaults (e.g. Server:StrictReadiness).</param>
    public static async Task<RunningServer> StartAsync(
        string repository, IReadOnlyDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Server:ModelRepository"] = repository,
            ["Server:GrpcAddress"] = "127.0.0.1",
            ["Server:GrpcPort"] = "0",
            ["Server:MetricsPort"] = "0",
            ["Server:StrictReadiness"] = "false",
            ["Server:ExitTimeoutSecs"] = "5",
            ["OnnxRuntime:ExecutionProvider"] = "Cpu",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            overrides[key] = value;
        }

        var app = ServerHost.Build(overrides, configure);
        try
        {
            await app.StartAsync();
            await app.Services.GetRequiredService<ModelLoadingService>().Loaded.WaitAsync(LoadTimeout);
            var address = ServerHost.GrpcAddress(app) ?? throw new InvalidOperationException("the server bound no address");
            var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
            {
                // The client's default (4 MiB) would cut off the large responses the size tests ask for.
                MaxReceiveMessageSize = 256 * 1024 * 1024,
                MaxSendMessageSize = null,
            });
            return new RunningServer(app, channel);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Close the client's connection first, so shutdown has nothing in flight to wait for.
        Channel.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
