namespace InferenceGrpc.EndToEnd.Tests.Infrastructure;

/// <summary>One ready server and one in-process reference model, shared by the tests of <see cref="ServerCollection"/>.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private ServerProcess? _server;
    private ReferenceModel? _reference;

    internal ServerProcess Server => _server ?? throw new InvalidOperationException("The fixture has not started.");

    internal ReferenceModel Reference => _reference ?? throw new InvalidOperationException("The fixture has not started.");

    public async Task InitializeAsync()
    {
        _reference = new ReferenceModel();
        _server = await ServerProcess.StartAsync(ServerProcess.StandardArgs()).ConfigureAwait(false);
        try
        {
            await _server.WaitUntilReadyAsync().ConfigureAwait(false);
        }
        catch
        {
            // No orphan when the start fails: the runner may not dispose a fixture whose start threw.
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
            _server = null;
        }

        _reference?.Dispose();
        _reference = null;
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "Shared server";
}
