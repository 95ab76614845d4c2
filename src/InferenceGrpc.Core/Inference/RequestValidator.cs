using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Inference;

/// <summary>
/// Checks a request against a model version's signature before anything runs. Each failure is an
/// INVALID_ARGUMENT that names the input and says what was expected and what came.
/// </summary>
/// <remarks>Allocation-free on success: requests carry a handful of tensors, so pairwise scans beat hash sets.</remarks>
public static class RequestValidator
{
    /// <summary>Validates the inputs and requested outputs; returns the batch size (1 for models that do not batch).</summary>
    public static int Validate(InferenceRequest request, ModelSignature signature, string model)
    {
        var inputs = request.Inputs;
        var batch = -1;
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            for (var j = 0; j < i; j++)
            {
                if (inputs[j].Name == input.Name)
                {
                    InferenceException.ThrowInputInvalid(model, input.Name, "the input is given more than once");
                }
            }

            if (!signature.TryGetInput(input.Name, out var spec))
            {
                InferenceException.ThrowInputInvalid(model, input.Name,
                    $"the model has no such input; its inputs are [{string.Join(", ", signature.Inputs.Select(s => s.Name))}]");
            }

            var inputBatch = ValidateInput(input, spec, signature, model);
            if (batch >= 0 && inputBatch != batch)
            {
                InferenceException.ThrowInputInvalid(model, input.Name,
                    $"batch size {inputBatch} differs from the batch size {batch} of the other inputs");
            }

            batch = inputBatch;
        }

        if (inputs.Count != signature.Inputs.Count)
        {
            foreach (var spec in signature.Inputs)
            {
                if (TensorLookup.IndexOf(inputs, spec.Name) < 0)
                {
                    InferenceException.ThrowInputInvalid(model, spec.Name,
                        $"the input is required but missing; expected {spec.DataType.ToWireName()} {TensorShape.Format(signature.FullShape(spec))}");
                }
            }
        }

        var outputs = request.RequestedOutputs;
        for (var i = 0; i < outputs.Count; i++)
        {
            if (!signature.TryGetOutput(outputs[i], out _))
            {
                InferenceException.ThrowInvalid(
                    $"model '{model}', requested output '{outputs[i]}': the model has no such output; its outputs are [{string.Join(", ", signature.Outputs.Select(s => s.Name))}]");
            }

            for (var j = 0; j < i; j++)
            {
                if (outputs[j] == outputs[i])
                {
                    InferenceException.ThrowInvalid($"model '{model}', requested output '{outputs[i]}': the output is requested more than once");
                }
            }
        }

        return Math.Max(batch, 1);
    }

    private static int ValidateInput(InputTensor input, TensorSpec spec, ModelSignature signature, string model)
    {
        if (input.DataType != spec.DataType)
        {
            InferenceException.ThrowInputInvalid(model, input.Name,
                $"expected datatype {spec.DataType.ToWireName()}, got {input.DataType.ToWireName()}");
        }

        var shape = input.Shape.AsSpan();
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                InferenceException.ThrowInputInvalid(model, input.Name, $"shape {TensorShape.Format(shape)} has a negative dimension");
            }
        }

        var expected = signature.FullShape(spec);
        if (!TensorShape.Matches(expected, shape))
        {
            InferenceException.ThrowInputInvalid(model, input.Name,
                $"expected shape {TensorShape.Format(expected)}{(signature.Batches ? " (first dimension: batch)" : "")}, got {TensorShape.Format(shape)}");
        }

        var batch = 1;
        if (signature.Batches)
        {
            if (shape[0] < 1 || shape[0] > signature.MaxBatchSize)
            {
                InferenceException.ThrowInputInvalid(model, input.Name,
                    $"batch size {shape[0]} is outside 1..{signature.MaxBatchSize} (the model's max_batch_size)");
            }

            batch = (int)shape[0];
        }

        if (!TensorShape.TryGetVolume(shape, out var volume))
        {
            InferenceException.ThrowInputInvalid(model, input.Name, $"shape {TensorShape.Format(shape)} has more elements than can be addressed");
        }

        var data = input.Data.Span;
        if (input.DataType == DataType.Bytes)
        {
            if (!BytesTensor.TryCountElements(data, out var count))
            {
                InferenceException.ThrowInputInvalid(model, input.Name,
                    "BYTES data is malformed: an element's 4-byte length runs past the end of the data");
            }

            if (count != volume)
            {
                InferenceException.ThrowInputInvalid(model, input.Name,
                    $"shape {TensorShape.Format(shape)} holds {volume} elements, but the BYTES data has {count}");
            }
        }
        else
        {
            var size = input.DataType.ElementSize();
            if (volume > long.MaxValue / size || data.Length != volume * size)
            {
                InferenceException.ThrowInputInvalid(model, input.Name,
                    $"shape {TensorShape.Format(shape)} of {input.DataType.ToWireName()} needs {(volume > long.MaxValue / size ? "more than " + long.MaxValue : (volume * size).ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes, got {data.Length}");
            }
        }

        return batch;
    }
}
