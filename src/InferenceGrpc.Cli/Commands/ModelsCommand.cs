using System.CommandLine;
using Grpc.Core;
using InferenceGrpc.Cli.Formatting;

namespace InferenceGrpc.Cli.Commands;

/// <summary><c>models</c>: list the server's repository (Triton's RepositoryIndex).</summary>
internal static class ModelsCommand
{
    public static Command Create(ClientFactory factory)
    {
        var server = CommonOptions.Server();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var command = new Command("models", "List the models in the server's repository with their state.") { server, json };
        command.SetAction((parse, ct) => RunAsync(
            parse.GetValue(server) ?? CommonOptions.DefaultServer,
            parse.GetValue(json),
            factory,
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            ct));
        return command;
    }

    private static async Task<int> RunAsync(
        string server, bool json, ClientFactory factory, TextWriter output, TextWriter error, CancellationToken ct)
    {
        using var client = CommonOptions.TryCreateClient(factory, server, error);
        if (client is null)
        {
            return ExitCodes.BadInput;
        }

        Inference.RepositoryIndexResponse index;
        try
        {
            index = await client.RepositoryIndexAsync(readyOnly: false, ct).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unimplemented)
        {
            // RepositoryIndex is a Triton extension, not core Open Inference Protocol: a server
            // without it is not broken, it just cannot be listed.
            error.WriteLine("note: the server does not implement RepositoryIndex; it cannot list its models.");
            index = new Inference.RepositoryIndexResponse();
        }
        catch (RpcException ex)
        {
            return CommonOptions.ReportRpcError(ex, error);
        }

        output.Write(json ? RepositoryFormatter.FormatJson(index.Models) + "\n" : RepositoryFormatter.FormatTable(index.Models));
        return ExitCodes.Success;
    }
}
