using InferenceGrpc.Core.Models;

namespace InferenceGrpc.Core.Inference;

/// <summary>
/// Sees every successful inference, on the request path, before its outputs are written out: drift monitoring,
/// prediction capture and shadow traffic hang off this. An observer must return at once: it decides whether to
/// sample (a counter, not a lock), copies what it keeps (the request's inputs and the result's outputs are only
/// valid during the call), and hands the copy to its own bounded background queue, dropping and counting when that
/// is full. It must not throw; the executor isolates a throw anyway, so one observer cannot fail a request.
/// </summary>
public interface IInferenceObserver
{
    void OnCompleted(in InferenceObservation observation);
}

/// <summary>One finished inference: the version that ran it, what was asked, what came out, how long it took.</summary>
public readonly record struct InferenceObservation(ModelVersion Version, InferenceRequest Request, InferenceResult Result, TimeSpan Elapsed);
