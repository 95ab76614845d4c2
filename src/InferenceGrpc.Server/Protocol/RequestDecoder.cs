using Inference;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Tensors;
using DataType = InferenceGrpc.Core.Tensors.DataType;

namespace InferenceGrpc.Server.Protocol;

/// <summary>
/// Turns a <see cref="ModelInferRequest"/> into Core's request. Raw inputs are referenced, not copied; typed
/// contents are converted to the raw layout. Checks what only the wire format can get wrong; everything that
/// depends on the model is checked by Core's validator.
/// </summary>
internal static class RequestDecoder
{
    public static InferenceRequest Decode(ModelInferRequest request)
    {
        var model = request.ModelName;
        if (string.IsNullOrEmpty(model))
        {
            InferenceException.ThrowInvalid("model_name is required");
        }

        var raw = request.RawInputContents;
        if (raw.Count > 0 && raw.Count != request.Inputs.Count)
        {
            InferenceException.ThrowInvalid(
                $"model '{model}': raw_input_contents has {raw.Count} entries but inputs has {request.Inputs.Count}; " +
                "give one raw entry per input, in the order of inputs, or use contents");
        }

        var inputs = new InputTensor[request.Inputs.Count];
        for (var i = 0; i < inputs.Length; i++)
        {
            var input = request.Inputs[i];
            var name = input.Name;
            if (string.IsNullOrEmpty(name))
            {
                InferenceException.ThrowInvalid($"model '{model}': inputs[{i}] has no name");
            }

            if (!DataTypes.TryParseWireName(input.Datatype, out var type))
            {
                InferenceException.ThrowInputInvalid(model, name,
                    $"unknown datatype '{input.Datatype}'; expected one of {string.Join(", ", DataTypes.All.Select(t => t.ToWireName()))}");
            }

            var shape = new long[input.Shape.Count];
            input.Shape.CopyTo(shape, 0);
            ReadOnlyMemory<byte> data;
            if (raw.Count > 0)
            {
                if (TypedContents.HasAny(input.Contents))
                {
                    InferenceException.ThrowInputInvalid(model, name,
                        "the input has both raw_input_contents and contents; send its data in one of them");
                }

                data = raw[i].Memory;
            }
            else if (TypedContents.HasAny(input.Contents))
            {
                data = TypedContents.ToRaw(model, name, type, input.Contents);
            }
            else
            {
                data = ReadOnlyMemory<byte>.Empty;
            }

            inputs[i] = new InputTensor(name, type, shape, data);
        }

        return new InferenceRequest
        {
            ModelName = model,
            ModelVersion = request.ModelVersion,
            Id = request.Id,
            Inputs = inputs,
            RequestedOutputs = RequestedOutputs(request),
        };
    }

    private static IReadOnlyList<string> RequestedOutputs(ModelInferRequest request)
    {
        if (request.Outputs.Count == 0)
        {
            return [];
        }

        var names = new string[request.Outputs.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = request.Outputs[i].Name;
        }

        return names;
    }
}
