using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Inference;

/// <summary>
/// The outputs of one request. Dispose it once the outputs are written out: it returns the backend's buffers.
/// </summary>
public sealed class InferenceResult : IDisposable
{
    private IDisposable? _owner;

    public InferenceResult(string modelName, long modelVersion, IReadOnlyList<OutputTensor> outputs, IDisposable? owner)
    {
        ModelName = modelName;
        ModelVersion = modelVersion;
        Outputs = outputs;
        _owner = owner;
    }

    public string ModelName { get; }

    /// <summary>The version that produced these outputs.</summary>
    public long ModelVersion { get; }

    public IReadOnlyList<OutputTensor> Outputs { get; }

    /// <summary>Server-side timing, for response parameters and statistics.</summary>
    public InferenceTiming Timing { get; init; }

    public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Dispose();
}
