using Inference;
using InferenceGrpc.EndToEnd.Tests.Infrastructure;

namespace InferenceGrpc.EndToEnd.Tests;

/// <summary>
/// The server's own process on bad configuration: flags, environment variables and their precedence. A server
/// that refuses to start exits with code 2 and names what is wrong on standard error.
/// </summary>
public sealed class ConfigurationTests
{
    private const int ConfigurationError = 2;
    private const string GrpcPortVariable = "INFERENCEGRPC_Server__GrpcPort";

    /// <summary>A hang guard, not a timing check: a refused start exits long before this.</summary>
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    private static async Task<(int ExitCode, string Stderr)> RunToExitAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        await using var process = ChildProcess.StartDotnet(BuildOutputs.ServerAssembly, args, environment);
        var exitCode = await process.WaitForExitAsync(ExitTimeout);
        return (exitCode, process.StandardError);
    }

    [Fact]
    public async Task Start_UnknownFlag_ExitsTwoNamingFlag()
    {
        var (exitCode, stderr) = await RunToExitAsync(ServerProcess.StandardArgs("--no-such-flag", "1"));

        Assert.Equal(ConfigurationError, exitCode);
        Assert.Contains("--no-such-flag", stderr);
    }

    [Fact]
    public async Task Start_NonIntegerGrpcPort_ExitsTwoNamingFlag()
    {
        var (exitCode, stderr) = await RunToExitAsync(["--model-repository", BuildOutputs.ModelRepository, "--grpc-port", "abc"]);

        Assert.Equal(ConfigurationError, exitCode);
        Assert.Contains("--grpc-port", stderr);
    }

    [Fact]
    public async Task Start_MissingModelRepository_ExitsTwoNamingIt()
    {
        var missing = Path.Combine(Path.GetTempPath(), "inferencegrpc-no-such-repository-" + Guid.NewGuid().ToString("N"));

        var (exitCode, stderr) = await RunToExitAsync(["--model-repository", missing, "--grpc-address", "127.0.0.1", "--grpc-port", "0", "--metrics-port", "0"]);

        Assert.Equal(ConfigurationError, exitCode);
        Assert.Contains("--model-repository", stderr);
        Assert.Contains(missing, stderr);
    }

    [Fact]
    public async Task Start_EnvironmentGrpcPortOutOfRange_ExitsTwoNamingGrpcPort()
    {
        string[] args = ["--model-repository", BuildOutputs.ModelRepository, "--grpc-address", "127.0.0.1", "--execution-provider", "cpu"];

        var (exitCode, stderr) = await RunToExitAsync(args, new Dictionary<string, string> { [GrpcPortVariable] = "70000" });

        Assert.Equal(ConfigurationError, exitCode);
        Assert.Contains("grpc-port", stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Start_EnvironmentGrpcPortNotANumber_ExitsTwoNamingSetting()
    {
        string[] args = ["--model-repository", BuildOutputs.ModelRepository, "--grpc-address", "127.0.0.1", "--execution-provider", "cpu"];

        var (exitCode, stderr) = await RunToExitAsync(args, new Dictionary<string, string> { [GrpcPortVariable] = "abc" });

        Assert.Equal(ConfigurationError, exitCode);
        Assert.Contains("GrpcPort", stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Start_GrpcPortFlagOverInvalidEnvironmentPort_ServesOnFlagPort()
    {
        // The variable alone would refuse the start (above); the flag must win over it.
        await using var server = await ServerProcess.StartAsync(
            ServerProcess.StandardArgs(), new Dictionary<string, string> { [GrpcPortVariable] = "70000" });

        var response = await server.Client.ServerLiveAsync(new ServerLiveRequest());

        Assert.True(response.Live);
        Assert.NotEqual(70000, server.Address.Port);
    }

    [Fact]
    public async Task Start_EnvironmentExecutionProviderInvalid_ExitsTwoNamingSetting()
    {
        string[] args = ["--model-repository", BuildOutputs.ModelRepository, "--grpc-address", "127.0.0.1", "--grpc-port", "0", "--metrics-port", "0"];

        var (exitCode, stderr) = await RunToExitAsync(args, new Dictionary<string, string> { ["INFERENCEGRPC_OnnxRuntime__ExecutionProvider"] = "tpu" });

        Assert.Equal(ConfigurationError, exitCode);
        Assert.Contains("ExecutionProvider", stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Start_Help_ExitsZeroPrintingUsage()
    {
        await using var process = ChildProcess.StartDotnet(BuildOutputs.ServerAssembly, ["--help"]);

        var exitCode = await process.WaitForExitAsync(ExitTimeout);

        Assert.Equal(0, exitCode);
        Assert.Contains("--model-repository", process.StandardOutput);
    }
}
