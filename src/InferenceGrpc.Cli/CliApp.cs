using System.CommandLine;
using InferenceGrpc.Cli.Commands;
using InferenceGrpc.Client;

namespace InferenceGrpc.Cli;

internal static class CliApp
{
    /// <param name="factory">Makes the client for --server; null opens a real gRPC channel.</param>
    public static RootCommand CreateRootCommand(ClientFactory? factory = null)
    {
        factory ??= static server => InferenceClient.Create(server);
        return new RootCommand("infergrpc: command-line client for Open Inference Protocol (KServe v2) gRPC servers.")
        {
            InferCommand.Create(factory),
            ModelsCommand.Create(factory),
            RepositoryCommands.Load(factory),
            RepositoryCommands.Unload(factory),
            BatchCommand.Create(factory),
            BaselineCommand.Create(factory),
        };
    }
}
