using System.CommandLine;
using Inference;
using InferenceGrpc.Client;
using InferenceGrpc.Server.Tests.Infrastructure;
using InferenceGrpc.TestModels;

namespace InferenceGrpc.Cli.Tests.Infrastructure;

/// <summary>
/// The real server in-process over generated models, for <c>batch</c>: Scale (×2, batching) under several names so
/// tests that count inferences have a model of their own, Scale ×3 without batching, and AddSub with vector and
/// one-element inputs.
/// </summary>
public sealed class BatchServerFixture : IAsyncLifetime
{
    public const string Scale = "scale";
    public const string ScaleForResume = "scale_resume";
    public const string ScaleNoBatch = "scale_nobatch";
    public const string AddSub = "addsub";
    public const string AddSubScalar = "addsub_scalar";

    private readonly TestRepository _repository = new();
    private RunningServer? _server;

    internal RunningServer Server => _server ?? throw new InvalidOperationException("the fixture has not started");

    public async Task InitializeAsync()
    {
        _repository
            .AddModel(Scale, TestModelFactory.Scale(2f)).AddConfig(Scale, """{"max_batch_size": 8}""")
            .AddModel(ScaleForResume, TestModelFactory.Scale(2f)).AddConfig(ScaleForResume, """{"max_batch_size": 8}""")
            .AddModel(ScaleNoBatch, TestModelFactory.Scale(3f, [4])).AddConfig(ScaleNoBatch, """{"max_batch_size": 0}""")
            .AddModel(AddSub, TestModelFactory.AddSub(TensorElementKind.Float)).AddConfig(AddSub, """{"max_batch_size": 8}""")
            .AddModel(AddSubScalar, TestModelFactory.AddSub(TensorElementKind.Float, [null, 1])).AddConfig(AddSubScalar, """{"max_batch_size": 8}""");
        _server = await RunningServer.StartAsync(_repository.Root);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _repository.Dispose();
    }

    internal InferenceClient Client() => new(Server.Channel.CreateCallInvoker());

    /// <summary>Runs the real <c>infergrpc</c> command tree against this server.</summary>
    internal async Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var invoker = Server.Channel.CreateCallInvoker();
        var root = CliApp.CreateRootCommand(_ => new InferenceClient(invoker));
        var exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Rows (batch elements) the model has run so far, from ModelStatistics.</summary>
    internal async Task<ulong> InferenceCountAsync(string model)
    {
        var stats = await Server.Client.ModelStatisticsAsync(new ModelStatisticsRequest { Name = model });
        return stats.ModelStats.Aggregate(0UL, (sum, s) => sum + s.InferenceCount);
    }
}

[CollectionDefinition(Name)]
public sealed class BatchServerCollection : ICollectionFixture<BatchServerFixture>
{
    public const string Name = "BatchServer";
}
