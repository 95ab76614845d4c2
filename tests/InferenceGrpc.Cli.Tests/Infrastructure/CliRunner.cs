using System.CommandLine;
using InferenceGrpc.Client;
using InferenceGrpc.Tests.Infrastructure;

namespace InferenceGrpc.Cli.Tests.Infrastructure;

/// <summary>Runs the real command tree with its client going to a <see cref="FakeCallInvoker"/>.</summary>
internal static class CliRunner
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(FakeCallInvoker invoker, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var root = CliApp.CreateRootCommand(_ => new InferenceClient(invoker));

        var exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
        return (exitCode, stdout.ToString(), stderr.ToString());
    }
}
