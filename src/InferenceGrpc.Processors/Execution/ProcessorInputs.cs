using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Processors.Execution;

/// <summary>Finds a processor's inputs by name; the scheduler has validated names, datatypes and shapes already.</summary>
internal static class ProcessorInputs
{
    public static InputTensor Find(IReadOnlyList<InputTensor> inputs, string name) =>
        TensorLookup.Find(inputs, name) ?? throw new InferenceException(InferenceErrorKind.InvalidArgument, $"input '{name}' is missing");

    /// <summary>Whether the caller asked for <paramref name="name"/> (an empty list asks for every output).</summary>
    public static bool Wants(IReadOnlyList<string> outputNames, string name) =>
        outputNames.Count == 0 || outputNames.Contains(name, StringComparer.Ordinal);

    /// <summary>Keeps only the asked outputs, in the order asked.</summary>
    public static IReadOnlyList<OutputTensor> InOrder(List<OutputTensor> produced, IReadOnlyList<string> outputNames)
    {
        if (outputNames.Count == 0)
        {
            return produced;
        }

        var ordered = new OutputTensor[outputNames.Count];
        for (var i = 0; i < outputNames.Count; i++)
        {
            ordered[i] = produced.Find(o => string.Equals(o.Name, outputNames[i], StringComparison.Ordinal))
                ?? throw new InferenceException(InferenceErrorKind.InvalidArgument, $"output '{outputNames[i]}' is not produced by this processor");
        }

        return ordered;
    }
}
