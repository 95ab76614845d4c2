using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using InferenceGrpc.Core.Inference;

namespace InferenceGrpc.Core.Models;

/// <summary>A model and its versions in one registry snapshot.</summary>
/// <param name="Reason">Why the model as a whole cannot serve (its config is unreadable), else null.</param>
public sealed record RegisteredModel(string Name, ModelConfig Config, string? Reason, FrozenDictionary<long, ModelVersion> Versions)
{
    /// <summary>The highest ready version: what a request that names no version gets.</summary>
    public ModelVersion? DefaultVersion =>
        Versions.Values.Where(v => v.State == ModelState.Ready).MaxBy(v => v.Version);
}

/// <summary>
/// The models the server knows, as an immutable snapshot swapped atomically: readers take no lock and always see
/// a consistent set; writers are serialised. Disposing it stops every version's scheduler (at shutdown, after
/// the endpoint has stopped taking requests), which finishes running batches and disposes the instances.
/// </summary>
public sealed class ModelRegistry : IDisposable
{
    private readonly Lock _writeLock = new();
    private FrozenDictionary<string, RegisteredModel> _models = FrozenDictionary<string, RegisteredModel>.Empty;

    /// <summary>Every model, by name.</summary>
    public IReadOnlyCollection<RegisteredModel> Models => Volatile.Read(ref _models).Values;

    public bool TryGetModel(string name, [NotNullWhen(true)] out RegisteredModel? model) =>
        Volatile.Read(ref _models).TryGetValue(name, out model);

    /// <summary>
    /// The version a request addresses: NOT_FOUND for an unknown model or version, UNAVAILABLE for one that is not
    /// ready. An empty <paramref name="version"/> is the highest ready version.
    /// </summary>
    public ModelVersion ResolveReady(string name, string version)
    {
        if (!TryGetModel(name, out var model))
        {
            throw InferenceException.ModelNotFound(name);
        }

        if (string.IsNullOrEmpty(version))
        {
            if (model.DefaultVersion is { } ready)
            {
                return ready;
            }

            var latest = model.Versions.Values.MaxBy(v => v.Version);
            throw latest is null
                ? new InferenceException(InferenceErrorKind.Unavailable, $"model '{name}' is not ready: {model.Reason ?? "it has no version"}")
                : InferenceException.NotReady(name, latest.Version, latest.State.ToWireName(), latest.Reason);
        }

        if (!long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ||
            !model.Versions.TryGetValue(number, out var entry))
        {
            throw InferenceException.VersionNotFound(name, version, model.Versions.Keys.Order());
        }

        return entry.State == ModelState.Ready
            ? entry
            : throw InferenceException.NotReady(name, entry.Version, entry.State.ToWireName(), entry.Reason);
    }

    /// <summary>Adds or replaces a model with the given versions (none for a model whose config failed).</summary>
    public void SetModel(string name, ModelConfig config, string? reason, IEnumerable<ModelVersion> versions) =>
        Update(models =>
        {
            models[name] = new RegisteredModel(name, config, reason, versions.ToFrozenDictionary(v => v.Version));
        });

    /// <summary>Replaces one version's entry (its state changed).</summary>
    public void SetVersion(ModelVersion version) =>
        Update(models =>
        {
            var model = models.TryGetValue(version.ModelName, out var existing)
                ? existing
                : new RegisteredModel(version.ModelName, version.Config, null, FrozenDictionary<long, ModelVersion>.Empty);
            var versions = model.Versions.ToDictionary();
            versions[version.Version] = version;
            models[version.ModelName] = model with { Versions = versions.ToFrozenDictionary() };
        });

    /// <summary>Removes a model; returns what was removed so the caller can dispose its runners.</summary>
    public RegisteredModel? RemoveModel(string name)
    {
        RegisteredModel? removed = null;
        Update(models =>
        {
            if (models.Remove(name, out var model))
            {
                removed = model;
            }
        });
        return removed;
    }

    public void Dispose()
    {
        FrozenDictionary<string, RegisteredModel> models;
        lock (_writeLock)
        {
            models = _models;
            Volatile.Write(ref _models, FrozenDictionary<string, RegisteredModel>.Empty);
        }

        foreach (var version in models.Values.SelectMany(m => m.Versions.Values))
        {
            version.Scheduler?.Dispose();
        }
    }

    private void Update(Action<Dictionary<string, RegisteredModel>> change)
    {
        lock (_writeLock)
        {
            var next = _models.ToDictionary(StringComparer.Ordinal);
            change(next);
            Volatile.Write(ref _models, next.ToFrozenDictionary(StringComparer.Ordinal));
        }
    }
}
