using System.Diagnostics;
using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Inference;
using Microsoft.Extensions.Logging;

namespace InferenceGrpc.Core.Models;

/// <summary>
/// Loads models from their sources into the registry: each version goes LOADING, then READY after warm-up, or
/// UNAVAILABLE with the reason. One model failing never stops the others.
/// </summary>
public sealed class ModelRepositoryLoader(IModelBackend backend, ModelRegistry registry, ModelLoaderOptions options, ILogger<ModelRepositoryLoader> logger)
{
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
            ModelLoaderLog.ConfigInvalid(logger, source.Name, error);
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
        ModelLoaderLog.Loading(logger, source.Name, version.Version, version.ModelPath);
        var started = Stopwatch.GetTimestamp();
        IModelRunner? runner = null;
        try
        {
            if (!File.Exists(version.ModelPath))
            {
                throw new ModelConfigException($"model file '{version.ModelPath}' does not exist");
            }

            runner = backend.Load(version, source.Config);
            var signature = SignatureResolver.Resolve(source.Config, runner.Graph, options.DefaultMaxBatchSize);
            if (options.WarmUp)
            {
                WarmUp(source.Name, version.Version, runner, signature);
            }

            ModelLoaderLog.Ready(logger, source.Name, version.Version, runner.Device, Stopwatch.GetElapsedTime(started).TotalMilliseconds, signature.MaxBatchSize);
            return ModelVersion.Ready(source.Name, version.Version, source.Config, signature, runner);
        }
        catch (ModelConfigException ex)
        {
            runner?.Dispose();
            ModelLoaderLog.LoadFailed(logger, source.Name, version.Version, ex.Message);
            return ModelVersion.Unavailable(source.Name, version.Version, source.Config, ex.Message);
        }
        catch (Exception ex)
        {
            // A backend bug must not take the server down: this version is unavailable, the rest serve.
            runner?.Dispose();
            ModelLoaderLog.LoadCrashed(logger, ex, source.Name, version.Version);
            return ModelVersion.Unavailable(source.Name, version.Version, source.Config, $"load failed: {ex.GetType().Name}");
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
            ModelLoaderLog.WarmUpFailed(logger, model, version, ex.Message);
        }
    }
}
