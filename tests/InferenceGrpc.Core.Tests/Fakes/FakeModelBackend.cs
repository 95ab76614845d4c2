using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Models;

namespace InferenceGrpc.Core.Tests.Fakes;

/// <summary>
/// A backend that hands out <see cref="FakeModelRunner"/>s over a graph chosen per model, or throws the
/// exception registered for a model. It records every load.
/// </summary>
internal sealed class FakeModelBackend : IModelBackend
{
    private readonly Dictionary<string, ModelGraph> _graphs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Exception> _failures = new(StringComparer.Ordinal);

    public string Platform => ModelConfig.OnnxPlatform;

    public string Backend => ModelConfig.OnnxBackend;

    public List<(ModelVersionSource Source, ModelConfig Config)> Loads { get; } = [];

    public List<FakeModelRunner> Runners { get; } = [];

    /// <summary>Lets each runner be adjusted (e.g. to fail its run) before the loader sees it.</summary>
    public Action<FakeModelRunner>? OnCreated { get; set; }

    public FakeModelBackend WithGraph(string model, ModelGraph graph)
    {
        _graphs[model] = graph;
        return this;
    }

    public FakeModelBackend Failing(string model, Exception exception)
    {
        _failures[model] = exception;
        return this;
    }

    public IModelRunner Load(ModelVersionSource source, ModelConfig config)
    {
        Loads.Add((source, config));
        if (_failures.TryGetValue(config.Name, out var failure))
        {
            throw failure;
        }

        var runner = new FakeModelRunner(_graphs[config.Name]);
        OnCreated?.Invoke(runner);
        Runners.Add(runner);
        return runner;
    }
}
