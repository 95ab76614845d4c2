using InferenceGrpc.Core.Models;

namespace InferenceGrpc.Core.Inference;

/// <summary>
/// The entry point of every inference: resolves the addressed model version, validates the request against its
/// signature, and queues it on that version's scheduler.
/// </summary>
public sealed class InferenceExecutor(ModelRegistry registry)
{
    /// <summary>
    /// Completes with the request's outputs, or fails with an <see cref="InferenceException"/>: synchronously for
    /// what can be decided at once (unknown model, invalid input, full queue), asynchronously for what happens in
    /// the queue or the run.
    /// </summary>
    public Task<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        var version = registry.ResolveReady(request.ModelName, request.ModelVersion);
        var rows = RequestValidator.Validate(request, version.Signature!, request.ModelName);
        return version.Scheduler!.EnqueueAsync(request, rows, cancellationToken);
    }
}
