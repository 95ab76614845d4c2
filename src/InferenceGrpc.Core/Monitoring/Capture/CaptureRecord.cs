using InferenceGrpc.Core.Inference;

namespace InferenceGrpc.Core.Monitoring.Capture;

/// <summary>
/// One sampled inference, copied on the request path so the writer can serialise it later. Tensors whose rule is
/// <see cref="Redaction.Drop"/> are never copied.
/// </summary>
internal sealed record CaptureRecord(
    CaptureSettings Settings,
    string RequestId,
    DateTimeOffset Timestamp,
    TimeSpan Latency,
    IReadOnlyList<CapturedTensor> Inputs,
    IReadOnlyList<CapturedTensor> Outputs)
{
    public static CaptureRecord Copy(in InferenceObservation observation, CaptureSettings settings, DateTimeOffset timestamp)
    {
        var inputs = new List<CapturedTensor>(observation.Request.Inputs.Count);
        foreach (var input in observation.Request.Inputs)
        {
            if (settings.RuleFor(input.Name) is var rule and not Redaction.Drop)
            {
                inputs.Add(new CapturedTensor(CopiedTensor.Of(input), rule));
            }
        }

        var outputs = new List<CapturedTensor>(observation.Result.Outputs.Count);
        foreach (var output in observation.Result.Outputs)
        {
            if (settings.RuleFor(output.Name) is var rule and not Redaction.Drop)
            {
                outputs.Add(new CapturedTensor(CopiedTensor.Of(output), rule));
            }
        }

        return new CaptureRecord(settings, observation.Request.Id, timestamp, observation.Elapsed, inputs, outputs);
    }
}

/// <summary>A copied tensor and how it is to be written.</summary>
internal sealed record CapturedTensor(CopiedTensor Tensor, Redaction Rule);
