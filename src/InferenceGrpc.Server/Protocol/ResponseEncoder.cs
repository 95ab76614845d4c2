using System.Globalization;
using Google.Protobuf;
using Inference;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Tensors;
using DataType = InferenceGrpc.Core.Tensors.DataType;

namespace InferenceGrpc.Server.Protocol;

/// <summary>Writes Core's result as a <see cref="ModelInferResponse"/>, outputs in raw_output_contents.</summary>
internal static class ResponseEncoder
{
    /// <summary>Microseconds the request waited in the model's queue.</summary>
    public const string QueueTimeParameter = "queue_time_us";

    /// <summary>Microseconds its batch took to run: input copy and inference (the output split follows, per request).</summary>
    public const string ComputeTimeParameter = "compute_time_us";

    /// <summary>Rows of the batch it ran in: how much the dynamic batcher coalesced.</summary>
    public const string BatchSizeParameter = "batch_size";

    public static ModelInferResponse Encode(InferenceResult result, string requestId)
    {
        var response = new ModelInferResponse
        {
            ModelName = result.ModelName,
            ModelVersion = result.ModelVersion.ToString(CultureInfo.InvariantCulture),
            Id = requestId,
        };

        // Server-side timing, so a caller can tell network time from queue and compute time.
        var timing = result.Timing;
        response.Parameters[QueueTimeParameter] = new InferParameter { Int64Param = (long)timing.QueueTime.TotalMicroseconds };
        response.Parameters[ComputeTimeParameter] = new InferParameter { Int64Param = (long)timing.ComputeTime.TotalMicroseconds };
        response.Parameters[BatchSizeParameter] = new InferParameter { Int64Param = timing.BatchSize };
        foreach (var output in result.Outputs)
        {
            var tensor = new ModelInferResponse.Types.InferOutputTensor
            {
                Name = output.Name,
                Datatype = output.DataType.ToWireName(),
            };
            tensor.Shape.Add(output.Shape);
            response.Outputs.Add(tensor);

            // The one copy out of the backend's buffer: the result is disposed right after encoding, so the
            // response cannot wrap that memory.
            response.RawOutputContents.Add(ByteString.CopyFrom(output.Data.Span));
        }

        return response;
    }
}
