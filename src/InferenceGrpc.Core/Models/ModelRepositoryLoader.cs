using System.Diagnostics;
using InferenceGrpc.Core.Batching;
using InferenceGrpc.Core.Diagnostics;
using InferenceGrpc.Core.Ensembles;
using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Inference;
using Microsoft.Extensions.Logging;

namespace InferenceGrpc.Core.Models;

/// <summary>
/// Loads models from their sources into the registry: each version goes LOADING, then READY once every instance
/// is created and warmed up and its scheduler runs, or UNAVAILABLE with the reason. One model failing never stops
/// the others.
/// </summary>
public sealed class ModelRepositoryLoader(
    BackendCatalog backends,
    ModelRegistry registry,
    ModelLoaderOptions options,
    SchedulerOptions schedulerOptions,
    TimeProvider time,
    ILoggerFactory loggerFactory,
    InferenceMetrics? metrics = null,
    IEnumerable<IInferenceObserver>? observers = null,
    IEnumerable<IModelVersionCheck>? checks = null)
{
    private readonly IModelVersionCheck[] _checks = checks?.ToArray() ?? [];
    private readonly ILogger _logger = loggerFactory.CreateLogger<ModelRepositoryLoader>();
    private readonly ILogger _schedulerLogger = loggerFactory.CreateLogger<ModelScheduler>();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, object> _modelLocks = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Task, Task> _retiring = new();
    private readonly ILogger _ensembleLogger = loggerFactory.CreateLogger<EnsembleScheduler>();

    // Ensemble steps run as any request does: resolved by name at request time, validated, queued, counted.
    private readonly InferenceExecutor _steps = new(registry, metrics, time, observers);

    // Ensembles as last loaded, so one whose step model was missing can be retried once that model loads.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ModelSource> _ensembles = new(StringComparer.Ordinal);

    /// <summary>Loads every version of every source. Returns true when every one became ready.</summary>
    public bool LoadAll(IEnumerable<ModelSource> sources, CancellationToken cancellationToken)
    {
        var allReady = true;
        foreach (var source in EnsemblesLast(sources))
        {
            cancellationToken.ThrowIfCancellationRequested();
            allReady &= Load(source);
        }

        return allReady;
    }

    /// <summary>
    /// Loads or reloads one model without failing a request: new versions load and warm up beside the serving
    /// ones, then the registry switches atomically; versions no longer wanted retire after running what they
    /// have queued. A version that fails to load is reported (UNAVAILABLE with its reason) but never replaces a
    /// serving one: if nothing new became ready, the versions that served keep serving. Loads of one model are
    /// serialised. Returns true when every wanted version is ready.
    /// </summary>
    public bool Load(ModelSource source)
    {
        var ready = LoadOne(source);
        if (source.Config.Ensemble is null)
        {
            ReloadDependents(source.Name);
        }

        return ready;
    }

    /// <summary>
    /// Non-ensembles first, then ensembles, each after the ensembles it uses as steps: an ensemble's load checks
    /// its step models in the registry.
    /// </summary>
    private static List<ModelSource> EnsemblesLast(IEnumerable<ModelSource> sources)
    {
        var all = sources.ToList();
        var ordered = all.Where(s => s.Config.Ensemble is null).ToList();
        var pending = all.Where(s => s.Config.Ensemble is not null).ToList();
        while (pending.Count > 0)
        {
            var next = pending.Where(e => e.Config.Ensemble!.Steps.All(step => pending.All(p => p.Name != step.ModelName || p == e))).ToList();
            if (next.Count == 0)
            {
                next = pending;   // ensembles that use each other: their loads report the steps that are missing
            }

            ordered.AddRange(next);
            pending = pending.Except(next).ToList();
        }

        return ordered;
    }

    /// <summary>Retries the ensembles that could not load every version and use <paramref name="stepModel"/>.</summary>
    private void ReloadDependents(string stepModel)
    {
        foreach (var (name, ensemble) in _ensembles)
        {
            if (ensemble.Config.Ensemble!.Steps.Any(s => s.ModelName == stepModel) &&
                registry.TryGetModel(name, out var model) && model.Versions.Values.Any(v => v.State != ModelState.Ready))
            {
                EnsembleLog.DependentReload(_logger, name, stepModel);
                Load(ensemble);
            }
        }
    }

    private bool LoadOne(ModelSource source)
    {
        if (source.Config.Ensemble is not null)
        {
            _ensembles[source.Name] = source;
        }
        else
        {
            _ensembles.TryRemove(source.Name, out _);
        }

        lock (_modelLocks.GetOrAdd(source.Name, static _ => new object()))
        {
            var existing = registry.TryGetModel(source.Name, out var model) ? model : null;
            var serving = existing?.Versions.Values.Where(v => v.State == ModelState.Ready).ToList() ?? [];
            if (source.ConfigError is { } error)
            {
                ModelLoaderLog.ConfigInvalid(_logger, source.Name, error);
                var failed = source.Versions.Select(v => ModelVersion.Unavailable(source.Name, v.Version, source.Config, error));
                Publish(source.Name, existing?.Config ?? source.Config, serving.Count > 0 ? null : error,
                    serving.Concat(failed.Where(f => serving.All(s => s.Version != f.Version))), retire: []);
                return false;
            }

            if (existing is null)
            {
                registry.SetModel(source.Name, source.Config, null,
                    source.Versions.Select(v => ModelVersion.Loading(source.Name, v.Version, source.Config)));
            }

            var next = new List<ModelVersion>();
            foreach (var version in source.Versions)
            {
                var fingerprint = source.ConfigFingerprint + "|" + version.Fingerprint;
                var reusable = serving.FirstOrDefault(v => v.Version == version.Version && v.Fingerprint == fingerprint && fingerprint != "|");
                next.Add(reusable ?? LoadVersion(source, version, fingerprint));
            }

            var anyReady = next.Any(v => v.State == ModelState.Ready);
            List<ModelVersion> retire;
            if (!anyReady && serving.Count > 0)
            {
                // Nothing new can serve: keep what served, and show the failed versions beside it.
                next = [.. serving, .. next.Where(n => serving.All(s => s.Version != n.Version))];
                retire = [];
            }
            else
            {
                retire = serving.Where(s => !next.Contains(s)).ToList();
            }

            Publish(source.Name, source.Config, null, next, retire);
            return next.All(v => v.State == ModelState.Ready) && next.Count == source.Versions.Count;
        }
    }

    /// <summary>
    /// Unloads a model: later requests get NOT_FOUND; its versions finish what they queued, then release their
    /// instances. Returns the task of that retirement (false when the model was not loaded).
    /// </summary>
    public Task<bool> UnloadAsync(string name)
    {
        lock (_modelLocks.GetOrAdd(name, static _ => new object()))
        {
            _ensembles.TryRemove(name, out _);
            var removed = registry.RemoveModel(name);
            if (removed is null)
            {
                return Task.FromResult(false);
            }

            ModelLoaderLog.Unloaded(_logger, name);
            return RetireAsync(removed.Versions.Values).ContinueWith(static _ => true, TaskScheduler.Default);
        }
    }

    /// <summary>Versions that were swapped out or unloaded and are still finishing their queued work.</summary>
    public Task Retiring => Task.WhenAll(_retiring.Values);

    private void Publish(string name, ModelConfig config, string? reason, IEnumerable<ModelVersion> versions, List<ModelVersion> retire)
    {
        registry.SetModel(name, config, reason, versions);
        _ = RetireAsync(retire);
    }

    private Task RetireAsync(IEnumerable<ModelVersion> versions)
    {
        var tasks = new List<Task>();
        foreach (var version in versions)
        {
            if (version.Scheduler is { } scheduler)
            {
                ModelLoaderLog.Retiring(_logger, version.ModelName, version.Version);
                var task = scheduler.DrainAsync(options.RetireTimeout);
                _retiring[task] = task;
                _ = task.ContinueWith(t => _retiring.TryRemove(t, out _), TaskScheduler.Default);
                tasks.Add(task);
            }
        }

        return Task.WhenAll(tasks);
    }

    private ModelVersion LoadVersion(ModelSource source, ModelVersionSource version, string fingerprint)
    {
        ModelLoaderLog.Loading(_logger, source.Name, version.Version, source.Config.Ensemble is null ? version.ModelPath : source.Directory);
        var started = Stopwatch.GetTimestamp();
        var instances = new List<IModelRunner>();
        var config = source.Config.InstanceGroups.Count > 0
            ? source.Config
            : source.Config with { InstanceGroups = [new InstanceGroup(options.DefaultInstanceCount, ExecutionKind.Auto, [])] };
        try
        {
            if (config.Ensemble is not null)
            {
                return LoadEnsembleVersion(source, version, fingerprint);
            }

            var backend = backends.Resolve(config);
            if (backend.NeedsModelFile && !File.Exists(version.ModelPath))
            {
                throw new ModelConfigException($"model file '{version.ModelPath}' does not exist");
            }

            // Every instance is created now, never on the request path.
            for (var i = 0; i < config.InstanceCount; i++)
            {
                instances.Add(backend.Load(version, config, i));
            }

            var signature = SignatureResolver.Resolve(config, instances[0].Graph, options.DefaultMaxBatchSize);
            foreach (var check in _checks)
            {
                check.Check(ModelVersion.Resolved(source.Name, version.Version, config, signature));
            }

            var policy = BatchingPolicy.Create(config, signature, schedulerOptions);
            if (options.WarmUp)
            {
                var sizes = WarmUpInputs.BatchSizes(signature, policy.PreferredBatchSizes);
                foreach (var instance in instances)
                {
                    WarmUp(source.Name, version.Version, instance, signature, sizes);
                }
            }

            var telemetry = new SchedulerTelemetry(metrics, VersionTags.For(source.Name, version.Version), new ModelStatistics(signature.MaxBatchSize));
            var scheduler = new ModelScheduler(source.Name, version.Version, signature, policy, instances, time, _schedulerLogger, telemetry);
            ModelLoaderLog.Ready(_logger, source.Name, version.Version, instances[0].Device, instances.Count,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds, signature.MaxBatchSize, policy.Batching);
            return ModelVersion.Ready(source.Name, version.Version, config, signature, scheduler, fingerprint, ReadLabels(source, signature));
        }
        catch (ModelConfigException ex)
        {
            DisposeAll(instances);
            ModelLoaderLog.LoadFailed(_logger, source.Name, version.Version, ex.Message);
            return ModelVersion.Unavailable(source.Name, version.Version, source.Config, ex.Message);
        }
        catch (Exception ex)
        {
            // A backend bug must not take the server down: this version is unavailable, the rest serve.
            DisposeAll(instances);
            ModelLoaderLog.LoadCrashed(_logger, ex, source.Name, version.Version);
            return ModelVersion.Unavailable(source.Name, version.Version, source.Config, $"load failed: {ex.GetType().Name}");
        }
    }

    /// <summary>
    /// An ensemble version: its plan checked against the step models loaded now (load ensembles after their steps),
    /// served by a step runner instead of a backend. Its version folder holds no file.
    /// </summary>
    private ModelVersion LoadEnsembleVersion(ModelSource source, ModelVersionSource version, string fingerprint)
    {
        var config = source.Config;
        var signature = EnsemblePlan.Signature(config);
        var plan = EnsemblePlan.Build(source.Name, signature, config.Ensemble!, StepModelOf);
        var labels = ReadLabels(source, signature);
        var telemetry = new SchedulerTelemetry(metrics, VersionTags.For(source.Name, version.Version), new ModelStatistics(signature.MaxBatchSize));
        var scheduler = new EnsembleScheduler(plan, version.Version, _steps.InferAsync, time, _ensembleLogger, telemetry);
        EnsembleLog.Ready(_ensembleLogger, source.Name, version.Version, plan.Steps.Count,
            string.Join(", ", config.Ensemble!.Steps.Select(s => s.ModelName).Distinct()), signature.MaxBatchSize);
        return ModelVersion.Ready(source.Name, version.Version, config, signature, scheduler, fingerprint, labels);
    }

    /// <summary>A step's model as the registry holds it now; the step runs whatever is ready when a request comes.</summary>
    private StepModel StepModelOf(EnsembleStep step)
    {
        if (!registry.TryGetModel(step.ModelName, out var model))
        {
            return new StepModel(null, "is not loaded (an ensemble loads after its step models)");
        }

        if (step.ModelVersion == EnsembleStep.Latest)
        {
            return model.DefaultVersion is { } latest
                ? new StepModel(latest.Signature, null)
                : new StepModel(null, $"has no ready version{(model.Reason is null ? "" : ": " + model.Reason)}");
        }

        return model.Versions.TryGetValue(step.ModelVersion, out var pinned) && pinned.State == ModelState.Ready
            ? new StepModel(pinned.Signature, null)
            : new StepModel(null, $"has no ready version {step.ModelVersion}; loaded: [{string.Join(",", model.Versions.Values.Where(v => v.State == ModelState.Ready).Select(v => v.Version).Order())}]");
    }

    /// <summary>The class labels of outputs whose config names a <c>label_filename</c> (one label per line).</summary>
    private static Dictionary<string, IReadOnlyList<string>>? ReadLabels(ModelSource source, ModelSignature signature)
    {
        if (source.Config.LabelFiles.Count == 0)
        {
            return null;
        }

        var labels = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (output, file) in source.Config.LabelFiles)
        {
            if (!signature.TryGetOutput(output, out _))
            {
                throw new ModelConfigException($"output '{output}' has a label_filename but the model has no such output; its outputs are [{string.Join(", ", signature.OutputNames)}]");
            }

            var path = Path.Combine(source.Directory, file);
            if (!File.Exists(path))
            {
                throw new ModelConfigException($"output '{output}': label_filename '{file}' does not exist ({path})");
            }

            labels[output] = File.ReadAllLines(path);
        }

        return labels;
    }

    private static void DisposeAll(List<IModelRunner> instances)
    {
        foreach (var instance in instances)
        {
            instance.Dispose();
        }
    }

    private void WarmUp(string model, long version, IModelRunner runner, ModelSignature signature, IReadOnlyList<int> batchSizes)
    {
        try
        {
            foreach (var size in batchSizes)
            {
                var inputs = runner.CreateWarmUpInputs(signature, size) ?? WarmUpInputs.Create(signature, size);
                var result = runner.Run(inputs, signature.OutputNames);
                result.Owner?.Dispose();
            }
        }
        catch (InferenceException ex)
        {
            ModelLoaderLog.WarmUpFailed(_logger, model, version, ex.Message);
        }
    }
}
