using InferenceGrpc.Core.Models;

namespace InferenceGrpc.Core.Inference;

/// <summary>
/// Resolves the addressed model version, validates the request against it and runs it.
/// </summary>
/// <remarks>
/// Runs the request on the calling thread: ONNX Runtime sessions are thread-safe, so concurrent callers run
/// concurrently. The dynamic batching scheduler replaces this direct call.
/// </remarks>
public sealed class InferenceExecutor(ModelRegistry registry)
{
    public ValueTask<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        var version = registry.ResolveReady(request.ModelName, request.ModelVersion);
        var signature = version.Signature!;
        RequestValidator.Validate(request, signature, request.ModelName);
        if (cancellationToken.IsCancellationRequested)
        {
            throw new InferenceException(InferenceErrorKind.Cancelled, "the call was cancelled before it ran");
        }

        var outputs = request.RequestedOutputs.Count > 0 ? request.RequestedOutputs : signature.OutputNames;
        var run = version.Runner!.Run(request.Inputs, outputs);
        return ValueTask.FromResult(new InferenceResult(version.ModelName, version.Version, run.Outputs, run.Owner));
    }
}
