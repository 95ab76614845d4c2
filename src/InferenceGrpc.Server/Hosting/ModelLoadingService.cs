using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Server.Health;
using InferenceGrpc.Server.Models;
using Microsoft.Extensions.Options;

namespace InferenceGrpc.Server.Hosting;

/// <summary>
/// Model control as tritonserver's <c>--model-control-mode</c>: loads the repository (or the <c>--load-model</c>
/// list) in the background once the host has started, so liveness answers while large models load; serves the
/// repository RPCs' loads and unloads (explicit mode); and in poll mode applies the repository's changes every
/// <c>--repository-poll-secs</c>, acting on a version folder only once it has stopped changing. Readiness follows
/// every change.
/// </summary>
internal sealed class ModelLoadingService(
    ModelRepositoryLoader loader,
    ModelRegistry registry,
    ServerHealth health,
    IOptions<ServerOptions> options,
    TimeProvider time,
    ILogger<ModelLoadingService> logger) : BackgroundService
{
    private static readonly PbtxtConfigReader Pbtxt = PbtxtModelConfig.Parse;

    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _control = new(1, 1);   // one repository change at a time
    private Dictionary<string, string> _lastScan = new(StringComparer.Ordinal);
    private Dictionary<string, string> _applied = new(StringComparer.Ordinal);   // what each model was last loaded from
    private volatile bool _started;

    /// <summary>Completes once the first load has finished, whatever its outcome.</summary>
    public Task Loaded => _loaded.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Model loading is synchronous native work (ONNX Runtime session creation): keep it off the host's thread.
        await Task.Run(() => LoadRepository(stoppingToken), stoppingToken).ConfigureAwait(false);
        var o = options.Value;
        if (o.PollModelControl)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(o.RepositoryPollSecs), time);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await Task.Run(() => PollAsync(stoppingToken), stoppingToken).ConfigureAwait(false);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Runs before Kestrel stops (hosted services stop in reverse order): readiness NOT_SERVING and new calls
        // UNAVAILABLE first, then, for the configured delay, keep the listeners open so every caller hears a
        // status it can retry on instead of a closed connection.
        HostLog.ShuttingDown(logger);
        health.MarkDraining();
        var delay = options.Value.DrainDelaySecs;
        if (delay > 0)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(delay), time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The shutdown timeout ran out first.
            }
        }

        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Loads or reloads one model from the repository (RepositoryModelLoad). <paramref name="configOverride"/>
    /// (JSON) replaces its config file. Throws NOT_FOUND when the repository has no such model folder, and
    /// INVALID_ARGUMENT (with the reason) when no version of it could be made ready.
    /// </summary>
    public async Task LoadModelAsync(string name, string? configOverride, CancellationToken cancellationToken)
    {
        var directory = ModelDirectory(name);
        await _control.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var source = ModelRepositoryScanner.ScanModel(directory, Pbtxt, configOverride);
            var allReady = await Task.Run(() => loader.Load(source), CancellationToken.None).ConfigureAwait(false);
            UpdateReadiness();
            if (!allReady && registry.TryGetModel(name, out var model))
            {
                // The caller hears why; whatever served before keeps serving (see ModelRepositoryLoader.Load).
                var reasons = model.Versions.Values.Where(v => v.State != ModelState.Ready).Select(v => v.Reason)
                    .Append(model.Reason).OfType<string>().Distinct();
                var serving = model.DefaultVersion is { } v ? $"; version {v.Version} keeps serving" : "";
                throw new InferenceException(InferenceErrorKind.InvalidArgument,
                    $"failed to load model '{name}': {string.Join("; ", reasons)}{serving}");
            }
        }
        finally
        {
            _control.Release();
        }
    }

    /// <summary>Unloads a model (RepositoryModelUnload): NOT_FOUND when it is not loaded.</summary>
    public async Task UnloadModelAsync(string name, CancellationToken cancellationToken)
    {
        await _control.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var retired = loader.UnloadAsync(name);
            if (!retired.IsCompleted || await retired.ConfigureAwait(false))
            {
                UpdateReadiness();
                return;
            }

            throw new InferenceException(InferenceErrorKind.NotFound, $"model '{name}' is not loaded");
        }
        finally
        {
            _control.Release();
        }
    }

    /// <summary>Whether the server is ready: started, and (with strict readiness) every loaded model can serve.</summary>
    public bool ComputeReady() =>
        _started && (!options.Value.StrictReadiness || registry.Models.All(m => m.DefaultVersion is not null));

    private string ModelDirectory(string name)
    {
        var root = Path.GetFullPath(options.Value.ModelRepository);
        var directory = Path.GetFullPath(Path.Combine(root, name));
        if (string.IsNullOrEmpty(name) || name.Contains('/') || name.Contains('\\') || name.StartsWith('.') ||
            !Directory.Exists(directory) || Path.GetDirectoryName(directory) != Path.TrimEndingDirectorySeparator(root))
        {
            throw new InferenceException(InferenceErrorKind.NotFound, $"model '{name}' is not in the model repository");
        }

        return directory;
    }

    private void LoadRepository(CancellationToken stoppingToken)
    {
        var o = options.Value;
        try
        {
            var sources = ModelRepositoryScanner.Scan(o.ModelRepository, Pbtxt);
            if (o.ExplicitModelControl)
            {
                sources = SelectExplicit(sources, o.LoadModel);
            }

            loader.LoadAll(sources, stoppingToken);
            _lastScan = Fingerprints(sources);
            _applied = new Dictionary<string, string>(_lastScan, StringComparer.Ordinal);
            var versions = registry.Models.SelectMany(m => m.Versions.Values).ToList();
            _started = true;
            var ready = ComputeReady();
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
            _started = true;
            health.SetReady(!o.StrictReadiness);
        }
        finally
        {
            _loaded.TrySetResult();
        }
    }

    /// <summary>
    /// One poll: models whose folder changed since the last poll are noted, and acted on at the next poll if they
    /// have not changed again (a version folder still being copied never loads half-written); models whose
    /// folder is gone are unloaded.
    /// </summary>
    private async Task PollAsync(CancellationToken stoppingToken)
    {
        await _control.WaitAsync(stoppingToken).ConfigureAwait(false);
        try
        {
            var sources = ModelRepositoryScanner.Scan(options.Value.ModelRepository, Pbtxt);
            var now = Fingerprints(sources);
            foreach (var source in sources)
            {
                // Act once per change, and only on a folder that looked the same at two polls in a row.
                var fingerprint = now[source.Name];
                var stable = _lastScan.TryGetValue(source.Name, out var before) && before == fingerprint;
                if (stable && (!_applied.TryGetValue(source.Name, out var applied) || applied != fingerprint))
                {
                    HostLog.PollReload(logger, source.Name);
                    loader.Load(source);
                    _applied[source.Name] = fingerprint;
                }
            }

            foreach (var gone in registry.Models.Select(m => m.Name).Where(n => !now.ContainsKey(n)).ToList())
            {
                HostLog.PollUnload(logger, gone);
                _ = loader.UnloadAsync(gone);
                _applied.Remove(gone);
            }

            _lastScan = now;
            health.SetReady(ComputeReady());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            HostLog.PollFailed(logger, ex);
        }
        finally
        {
            _control.Release();
        }
    }

    private void UpdateReadiness() => health.SetReady(ComputeReady());

    // What the registry holds after loading a source: its versions with their fingerprints.
    private static string Expected(ModelSource source) =>
        string.Join(",", source.Versions.OrderBy(v => v.Version).Select(v => v.Version + "=" + source.ConfigFingerprint + "|" + v.Fingerprint));

    private static Dictionary<string, string> Fingerprints(IEnumerable<ModelSource> sources) =>
        sources.ToDictionary(s => s.Name, s => (s.ConfigError ?? "") + "#" + Expected(s), StringComparer.Ordinal);

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
