using Inference;

namespace InferenceGrpc.Server.Tests.Infrastructure;

/// <summary>A server of its own over a temporary repository, started once for the tests that share it.</summary>
public abstract class ServerFixtureBase : IAsyncLifetime
{
    private readonly TestRepository _repository = new();
    private RunningServer? _server;

    internal RunningServer Server => _server ?? throw new InvalidOperationException("the fixture has not started");

    internal GRPCInferenceService.GRPCInferenceServiceClient Client => Server.Client;

    /// <summary>Configuration that wins over <see cref="RunningServer"/>'s test defaults.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    public async Task InitializeAsync()
    {
        Populate(_repository);
        _server = await RunningServer.StartAsync(_repository.Root, Settings, Configure);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _repository.Dispose();
    }

    /// <summary>Changes to the host before it is built (extra services, exporters).</summary>
    protected virtual void Configure(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder)
    {
    }

    /// <summary>Writes the models of this server's repository.</summary>
    private protected abstract void Populate(TestRepository repository);
}
