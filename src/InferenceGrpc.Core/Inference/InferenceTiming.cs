namespace InferenceGrpc.Core.Inference;

/// <summary>Where a request's server time went, and how large a batch it ran in.</summary>
/// <param name="QueueTime">From enqueue until its batch started.</param>
/// <param name="ComputeTime">The batch's run: input copy, inference and output split.</param>
/// <param name="BatchSize">Rows of the batch it ran in.</param>
public readonly record struct InferenceTiming(TimeSpan QueueTime, TimeSpan ComputeTime, int BatchSize);
