using InferenceGrpc.Core.Models;

namespace InferenceGrpc.Core.Execution;

/// <summary>
/// The backends this host serves, by name (a model config's <c>backend</c>). A config naming a backend the host
/// lacks fails that model's load with the list of those it has, never the server's start.
/// </summary>
public sealed class BackendCatalog
{
    private readonly Dictionary<string, IModelBackend> _byName = new(StringComparer.Ordinal);

    public BackendCatalog(IEnumerable<IModelBackend> backends)
    {
        ArgumentNullException.ThrowIfNull(backends);
        foreach (var backend in backends)
        {
            if (!_byName.TryAdd(backend.Backend, backend))
            {
                throw new ArgumentException($"two backends are registered as '{backend.Backend}'", nameof(backends));
            }
        }
    }

    /// <summary>The names served, sorted.</summary>
    public IReadOnlyList<string> Names => _byName.Keys.Order(StringComparer.Ordinal).ToList();

    /// <exception cref="ModelConfigException">The config names a backend this host does not have.</exception>
    public IModelBackend Resolve(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return _byName.TryGetValue(config.Backend, out var backend)
            ? backend
            : throw new ModelConfigException(
                $"backend '{config.Backend}' is not served; this server has: {string.Join(", ", Names)}");
    }
}
