using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Monitoring.Shadow;

/// <summary>
/// A mirrored request: the primary's inputs copied into a request for the candidate version, and the primary's
/// outputs copied for the comparison (both are only valid during the observer call).
/// </summary>
internal sealed record ShadowJob(ShadowSettings Settings, InferenceRequest Request, IReadOnlyList<CopiedTensor> PrimaryOutputs)
{
    public static ShadowJob Copy(in InferenceObservation observation, ShadowSettings settings)
    {
        var source = observation.Request;
        var inputs = new InputTensor[source.Inputs.Count];
        for (var i = 0; i < inputs.Length; i++)
        {
            var copy = CopiedTensor.Of(source.Inputs[i]);
            inputs[i] = new InputTensor(copy.Name, copy.DataType, copy.Shape, copy.Data);
        }

        var outputs = new CopiedTensor[observation.Result.Outputs.Count];
        for (var i = 0; i < outputs.Length; i++)
        {
            outputs[i] = CopiedTensor.Of(observation.Result.Outputs[i]);
        }

        var request = new InferenceRequest
        {
            ModelName = source.ModelName,
            ModelVersion = settings.CandidateText,
            Id = source.Id,
            Inputs = inputs,
            RequestedOutputs = [.. source.RequestedOutputs],
        };
        return new ShadowJob(settings, request, outputs);
    }
}
