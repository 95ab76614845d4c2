using System.Diagnostics;
using InferenceGrpc.Core.Batching;
using InferenceGrpc.Core.Diagnostics;
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
    IModelBackend backend,
    ModelRegistry registry,
    ModelLoaderOptions options,
    SchedulerOptions schedulerOptions,
    TimeProvider time,
    ILoggerFactory loggerFactory,
    InferenceMetrics? metrics = null)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<ModelRepositoryLoader>();
    private readonly ILogger _schedulerLogger = loggerFactory.CreateLogger<ModelScheduler>();

    /// <summary>Loads every version of every source. Returns true when every one became ready.</summary>
    public bool LoadAll(IEnumerable<ModelSource> sources, CancellationToken cancellationToken)
    {
        var allReady = true;
        foreach (var source in sources)
        {
            cancellationToken.ThrowIfCancellationRequested();
            allReady &= Load(source);
        }

        return allReady;
    }

    /// <summary>Loads one model's versions, replacing whatever the registry held for it.</summary>
    public bool Load(ModelSource source)
    {
        if (source.ConfigError is { } error)
        {
            ModelLoaderLog.ConfigInvalid(_logger, source.Name, error);
            registry.SetModel(source.Name, source.Config, error,
                source.Versions.Select(v => ModelVersion.Unavailable(source.Name, v.Version, source.Config, error)));
            return false;
        }

        registry.SetModel(source.Name, source.Config, null,
            source.Versions.Select(v => ModelVersion.Loading(source.Name, v.Version, source.Config)));
        var allReady = true;
        foreach (var version in source.Versions)
        {
            var loaded = LoadVersion(source, version);
            registry.SetVersion(loaded);
            allReady &= loaded.State == ModelState.Ready;
        }

        return allReady;
    }

    private ModelVersion LoadVersion(ModelSource source, ModelVersionSource version)
    {
        ModelLoaderLog.Loading(_logger, source.Name, version.Version, version.ModelPath);
        var started = Stopwatch.GetTimestamp();
        var instances = new List<IModelRunner>();
        try
        {
            if (!File.Exists(version.ModelPath))
            {
                throw new ModelConfigException($"model file '{version.ModelPath}' does not exist");
            }

            // Every instance is created now, never on the request path.
            for (var i = 0; i < source.Config.InstanceCount; i++)
            {
                instances.Add(backend.Load(version, source.Config, i));
            }

            var signature = SignatureResolver.Resolve(source.Config, instances[0].Graph, options.DefaultMaxBatchSize);
            var policy = BatchingPolicy.Create(source.Config, signature, schedulerOptions);
            if (options.WarmUp)
            {
                foreach (var instance in instances)
                {
                    WarmUp(source.Name, version.Version, instance, signature);
                }
            }

            var telemetry = new SchedulerTelemetry(metrics, VersionTags.For(source.Name, version.Version), new ModelStatistics(signature.MaxBatchSize));
            var scheduler = new ModelScheduler(source.Name, version.Version, signature, policy, instances, time, _schedulerLogger, telemetry);
            ModelLoaderLog.Ready(_logger, source.Name, version.Version, instances[0].Device, instances.Count,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds, signature.MaxBatchSize, policy.Batching);
            return ModelVersion.Ready(source.Name, version.Version, source.Config, signature, scheduler);
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

    private static void DisposeAll(List<IModelRunner> instances)
    {
        foreach (var instance in instances)
        {
            instance.Dispose();
        }
    }

    private void WarmUp(string model, long version, IModelRunner runner, ModelSignature signature)
    {
        try
        {
            var result = runner.Run(WarmUpInputs.Create(signature), signature.Outputs.Select(o => o.Name).ToArray());
            result.Owner?.Dispose();
        }
        catch (InferenceException ex)
        {
            ModelLoaderLog.WarmUpFailed(_logger, model, version, ex.Message);
        }
    }
}
