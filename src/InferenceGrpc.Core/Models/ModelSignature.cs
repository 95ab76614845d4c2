using System.Collections.Frozen;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Models;

/// <summary>
/// What a loaded model version accepts and returns: the contract every request is checked against.
/// Dims exclude the batch dimension when <see cref="MaxBatchSize"/> &gt; 0.
/// </summary>
public sealed class ModelSignature
{
    private readonly FrozenDictionary<string, TensorSpec> _inputs;
    private readonly FrozenDictionary<string, TensorSpec> _outputs;

    public ModelSignature(int maxBatchSize, IReadOnlyList<TensorSpec> inputs, IReadOnlyList<TensorSpec> outputs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBatchSize);
        MaxBatchSize = maxBatchSize;
        Inputs = inputs;
        Outputs = outputs;
        OutputNames = outputs.Select(o => o.Name).ToArray();
        _inputs = inputs.ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);
        _outputs = outputs.ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public int MaxBatchSize { get; }

    public bool Batches => MaxBatchSize > 0;

    public IReadOnlyList<TensorSpec> Inputs { get; }

    public IReadOnlyList<TensorSpec> Outputs { get; }

    /// <summary>Every output's name, in signature order: what a request that asks for no output gets.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    public bool TryGetInput(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TensorSpec? spec) =>
        _inputs.TryGetValue(name, out spec);

    public bool TryGetOutput(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TensorSpec? spec) =>
        _outputs.TryGetValue(name, out spec);

    /// <summary>The full shape pattern a request must match: -1 for the batch dimension, then the dims.</summary>
    public long[] FullShape(TensorSpec spec) =>
        Batches ? [TensorShape.Dynamic, .. spec.Dims] : [.. spec.Dims];
}
