using System.CommandLine;
using Grpc.Core;
using Inference;

namespace InferenceGrpc.Cli.Commands;

/// <summary>
/// <c>load</c> and <c>unload</c>: Triton's RepositoryModelLoad / RepositoryModelUnload, for servers in explicit
/// model control mode.
/// </summary>
internal static class RepositoryCommands
{
    public static Command Load(ClientFactory factory)
    {
        var server = CommonOptions.Server();
        var model = new Argument<string>("model") { Description = "The model (folder) to load or reload." };
        var config = new Option<FileInfo?>("--config")
        {
            Description = "A JSON model config file that replaces the model's own config for this load.",
        };
        var command = new Command("load", "Load or reload a model from the server's repository (explicit model control).") { server, model, config };
        command.SetAction((parse, ct) => RunAsync(
            parse.GetValue(server) ?? CommonOptions.DefaultServer, factory, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error,
            async (client, output, error) =>
            {
                var name = parse.GetValue(model)!;
                var request = new RepositoryModelLoadRequest { ModelName = name };
                if (parse.GetValue(config) is { } file)
                {
                    if (!file.Exists)
                    {
                        error.WriteLine($"error: --config '{file.FullName}' does not exist");
                        return ExitCodes.BadInput;
                    }

                    request.Parameters["config"] = new ModelRepositoryParameter { StringParam = await File.ReadAllTextAsync(file.FullName, ct).ConfigureAwait(false) };
                }

                await client.RawClient.RepositoryModelLoadAsync(request, cancellationToken: ct).ConfigureAwait(false);
                output.WriteLine($"loaded '{name}'");
                return ExitCodes.Success;
            }));
        return command;
    }

    public static Command Unload(ClientFactory factory)
    {
        var server = CommonOptions.Server();
        var model = new Argument<string>("model") { Description = "The model to unload." };
        var command = new Command("unload", "Unload a model; its later requests get NOT_FOUND (explicit model control).") { server, model };
        command.SetAction((parse, ct) => RunAsync(
            parse.GetValue(server) ?? CommonOptions.DefaultServer, factory, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error,
            async (client, output, _) =>
            {
                var name = parse.GetValue(model)!;
                await client.RawClient.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = name }, cancellationToken: ct).ConfigureAwait(false);
                output.WriteLine($"unloaded '{name}'");
                return ExitCodes.Success;
            }));
        return command;
    }

    private static async Task<int> RunAsync(
        string server, ClientFactory factory, TextWriter output, TextWriter error,
        Func<InferenceGrpc.Client.InferenceClient, TextWriter, TextWriter, Task<int>> action)
    {
        using var client = CommonOptions.TryCreateClient(factory, server, error);
        if (client is null)
        {
            return ExitCodes.BadInput;
        }

        try
        {
            return await action(client, output, error).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            return CommonOptions.ReportRpcError(ex, error);
        }
    }
}
