using System.CommandLine;
using Grpc.Core;
using InferenceGrpc.Client;

namespace InferenceGrpc.Cli.Commands;

internal static class CommonOptions
{
    public const string DefaultServer = "http://127.0.0.1:8001";

    // A new instance per command: an option belongs to the command it is added to.
    public static Option<string> Server() => new("--server", "-s")
    {
        Description = "Server address (Triton's gRPC port is 8001). A bare host:port means http://.",
        DefaultValueFactory = _ => DefaultServer,
    };

    /// <summary>Null (after printing why) when the address cannot make a channel.</summary>
    public static InferenceClient? TryCreateClient(ClientFactory factory, string server, TextWriter error)
    {
        try
        {
            return factory(server);
        }
        catch (Exception ex) when (ex is UriFormatException or ArgumentException or InvalidOperationException)
        {
            error.WriteLine($"error: invalid --server '{server}': {ex.Message}");
            return null;
        }
    }

    public static int ReportRpcError(RpcException ex, TextWriter error)
    {
        error.WriteLine($"error: {ex.StatusCode}: {ex.Status.Detail}");
        return ExitCodes.CallFailed;
    }
}
