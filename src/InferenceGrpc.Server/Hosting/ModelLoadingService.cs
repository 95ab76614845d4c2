using InferenceGrpc.Core.Models;
using InferenceGrpc.Server.Health;
using Microsoft.Extensions.Options;

namespace InferenceGrpc.Server.Hosting;

/// <summary>
/// Loads the repository in the background once the host has started, so the endpoint answers liveness probes
/// while large models load, then marks the server ready.
/// </summary>
internal sealed class ModelLoadingService(
    ModelRepositoryLoader loader,
    ModelRegistry registry,
    ServerHealth health,
    IOptions<ServerOptions> options,
    ILogger<ModelLoadingService> logger) : BackgroundService
{
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the first load has finished, whatever its outcome.</summary>
    public Task Loaded => _loaded.Task;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // Model loading is synchronous native work (ONNX Runtime session creation): keep it off the host's thread.
        Task.Run(() => LoadRepository(stoppingToken), stoppingToken);

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        HostLog.ShuttingDown(logger);
        health.SetReady(false);
        return base.StopAsync(cancellationToken);
    }

    private void LoadRepository(CancellationToken stoppingToken)
    {
        var o = options.Value;
        try
        {
            var sources = ModelRepositoryScanner.Scan(o.ModelRepository);
            if (o.ExplicitModelControl)
            {
                sources = SelectExplicit(sources, o.LoadModel);
            }

            var allReady = loader.LoadAll(sources, stoppingToken);
            var versions = registry.Models.SelectMany(m => m.Versions.Values).ToList();
            var ready = !o.StrictReadiness || allReady;
            HostLog.ModelsLoaded(logger, o.ModelRepository, versions.Count(v => v.State == ModelState.Ready), versions.Count, ready);
            health.SetReady(ready);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down while loading: nothing to report.
        }
        catch (Exception ex)
        {
            HostLog.RepositoryLoadFailed(logger, ex);
            health.SetReady(!o.StrictReadiness);
        }
        finally
        {
            _loaded.TrySetResult();
        }
    }

    private List<ModelSource> SelectExplicit(IReadOnlyList<ModelSource> sources, IReadOnlyList<string> names)
    {
        if (names.Contains("*"))
        {
            return [.. sources];
        }

        foreach (var missing in names.Where(n => sources.All(s => s.Name != n)))
        {
            HostLog.LoadModelMissing(logger, missing);
        }

        return sources.Where(s => names.Contains(s.Name)).ToList();
    }
}
