using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Models;

namespace InferenceGrpc.Processors.Execution;

/// <summary>
/// A built-in processor as a backend: its name is both the config's <c>backend</c> and the metadata's platform, and it
/// reads its own files (or none), so the loader does not require a model.onnx.
/// </summary>
public abstract class ProcessorBackend : IModelBackend
{
    private protected ProcessorBackend(string name) => Backend = name;

    public string Platform => Backend;

    public string Backend { get; }

    public bool NeedsModelFile => false;

    /// <exception cref="ModelConfigException">A parameter is invalid or a file the processor reads is missing.</exception>
    public IModelRunner Load(ModelVersionSource source, ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(config);
        return Create(source, config);
    }

    private protected abstract IModelRunner Create(ModelVersionSource source, ModelConfig config);
}
