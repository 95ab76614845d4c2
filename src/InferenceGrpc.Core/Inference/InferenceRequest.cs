using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Inference;

/// <summary>A decoded inference request, independent of the wire format that carried it.</summary>
public sealed class InferenceRequest
{
    private static readonly IReadOnlyDictionary<string, int> NoClassifications = new Dictionary<string, int>();

    public required string ModelName { get; init; }

    /// <summary>The version asked for, as sent; empty means the model's default (highest ready) version.</summary>
    public string ModelVersion { get; init; } = "";

    /// <summary>The caller's request id, echoed in the response.</summary>
    public string Id { get; init; } = "";

    public required IReadOnlyList<InputTensor> Inputs { get; init; }

    /// <summary>The outputs asked for, in the order wanted; empty means every output of the model.</summary>
    public IReadOnlyList<string> RequestedOutputs { get; init; } = [];

    /// <summary>
    /// Requested outputs to return as their top k classes (Triton's classification extension: the output's
    /// <c>classification</c> parameter), output name → k (1 or more); empty: none.
    /// </summary>
    public IReadOnlyDictionary<string, int> Classifications { get; init; } = NoClassifications;

    /// <summary>Priority level, 1 = highest; 0 = the model's default level (the <c>priority</c> parameter).</summary>
    public ulong Priority { get; init; }

    /// <summary>The longest the request may wait in the queue (the <c>timeout</c> parameter); null: the model's default.</summary>
    public TimeSpan? QueueTimeout { get; init; }

    /// <summary>The caller's deadline (the gRPC deadline); null: none.</summary>
    public DateTimeOffset? Deadline { get; init; }
}
