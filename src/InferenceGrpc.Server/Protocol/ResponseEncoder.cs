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
    public static ModelInferResponse Encode(InferenceResult result, string requestId)
    {
        var response = new ModelInferResponse
        {
            ModelName = result.ModelName,
            ModelVersion = result.ModelVersion.ToString(CultureInfo.InvariantCulture),
            Id = requestId,
        };
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
