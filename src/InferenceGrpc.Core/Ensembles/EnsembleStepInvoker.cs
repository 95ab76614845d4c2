using InferenceGrpc.Core.Inference;

namespace InferenceGrpc.Core.Ensembles;

/// <summary>
/// Runs one step's request on its model as any request runs (resolve the ready version by name and version,
/// validate, queue on its scheduler, count it in that model's statistics): in the server,
/// <see cref="InferenceExecutor.InferAsync"/>. The caller disposes the result.
/// </summary>
public delegate Task<InferenceResult> EnsembleStepInvoker(InferenceRequest request, CancellationToken cancellationToken);
