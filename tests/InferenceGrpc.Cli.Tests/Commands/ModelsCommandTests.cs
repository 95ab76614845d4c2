using Grpc.Core;
using Inference;
using InferenceGrpc.Cli.Tests.Infrastructure;
using InferenceGrpc.Tests.Infrastructure;
using ModelIndex = Inference.RepositoryIndexResponse.Types.ModelIndex;

namespace InferenceGrpc.Cli.Tests.Commands;

public sealed class ModelsCommandTests
{
    [Fact]
    public async Task Models_Index_PrintsTable()
    {
        var invoker = new FakeCallInvoker().On<RepositoryIndexRequest, RepositoryIndexResponse>("RepositoryIndex", _ => new RepositoryIndexResponse
        {
            Models = { new ModelIndex { Name = "a", Version = "1", State = "READY" } },
        });

        var (exitCode, stdout, _) = await CliRunner.RunAsync(invoker, "models", "--server", "localhost:8001");

        Assert.Equal(0, exitCode);
        Assert.Equal("NAME  VERSION  STATE  REASON\na     1        READY\n", stdout);
    }

    [Fact]
    public async Task Models_Json_PrintsJson()
    {
        var invoker = new FakeCallInvoker().On<RepositoryIndexRequest, RepositoryIndexResponse>("RepositoryIndex", _ => new RepositoryIndexResponse
        {
            Models = { new ModelIndex { Name = "a" } },
        });

        var (exitCode, stdout, _) = await CliRunner.RunAsync(invoker, "models", "--json");

        Assert.Equal(0, exitCode);
        Assert.Equal("""{"models":[{"name":"a","version":"","state":"","reason":""}]}""", stdout.TrimEnd());
    }

    [Fact]
    public async Task Models_Unimplemented_SaysSoAndSucceedsWithNoModels()
    {
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync(new FakeCallInvoker(), "models", "--json");

        Assert.Equal(0, exitCode);
        Assert.Equal("""{"models":[]}""", stdout.TrimEnd());
        Assert.Contains("does not implement RepositoryIndex", stderr);
    }

    [Fact]
    public async Task Models_Unavailable_PrintsStatusAndExitsOne()
    {
        var invoker = new FakeCallInvoker().On<RepositoryIndexRequest, RepositoryIndexResponse>(
            "RepositoryIndex", _ => throw new RpcException(new Status(StatusCode.Unavailable, "connection refused")));

        var (exitCode, _, stderr) = await CliRunner.RunAsync(invoker, "models");

        Assert.Equal(1, exitCode);
        Assert.Equal("error: Unavailable: connection refused", stderr.TrimEnd());
    }
}
