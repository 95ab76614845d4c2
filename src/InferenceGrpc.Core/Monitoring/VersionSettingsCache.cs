using System.Runtime.CompilerServices;
using InferenceGrpc.Core.Models;

namespace InferenceGrpc.Core.Monitoring;

/// <summary>
/// One parsed settings object per <see cref="ModelVersion"/>, made the first time the version is observed. A
/// version is immutable and replaced on reload, so the entry goes with it (weakly keyed): a reloaded config is
/// parsed anew, and an unloaded version leaves nothing behind. A lookup after the first is lock-free.
/// </summary>
/// <typeparam name="T">The settings; null means "feature off for this version" and is cached too.</typeparam>
internal sealed class VersionSettingsCache<T>(Func<ModelVersion, T?> parse)
    where T : class
{
    private readonly ConditionalWeakTable<ModelVersion, Entry> _entries = [];
    private readonly ConditionalWeakTable<ModelVersion, Entry>.CreateValueCallback _create = v => new Entry(parse(v));

    public T? Get(ModelVersion version) => _entries.GetValue(version, _create).Settings;

    private sealed record Entry(T? Settings);
}
