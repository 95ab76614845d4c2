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
    /// <summary>The request parameter that picks a priority level (1 = highest; 0 = the model's default).</summary>
    public const string PriorityParameter = "priority";

    /// <summary>The request parameter that bounds queue time, in microseconds (0 = the model's default).</summary>
    public const string TimeoutParameter = "timeout";

    /// <summary>The requested-output parameter that asks for the top k classes instead of the tensor (an int64_param k &gt; 0).</summary>
    public const string ClassificationParameter = "classification";

    /// <summary>The longest queue timeout a request may ask for; longer ones are cut to it (the deadline still bounds it).</summary>
    public static readonly TimeSpan MaxQueueTimeout = TimeSpan.FromDays(365_000);

    public static InferenceRequest Decode(ModelInferRequest request, DateTime deadline = default) =>
        Decode(request, RequestLimits.Default, deadline);

    /// <summary>Decodes <paramref name="request"/>, refusing one over <paramref name="limits"/> before any large allocation.</summary>
    public static InferenceRequest Decode(ModelInferRequest request, RequestLimits limits, DateTime deadline = default)
    {
        var model = request.ModelName;
        if (string.IsNullOrEmpty(model))
        {
            InferenceException.ThrowInvalid("model_name is required");
        }

        if (request.Inputs.Count > limits.MaxInputsPerRequest)
        {
            InferenceException.ThrowInvalid(
                $"model '{model}': the request has {request.Inputs.Count} inputs, over the limit of {limits.MaxInputsPerRequest} inputs per request (--max-inputs-per-request)");
        }

        var raw = request.RawInputContents;
        if (raw.Count > 0 && raw.Count != request.Inputs.Count)
        {
            InferenceException.ThrowInvalid(
                $"model '{model}': raw_input_contents has {raw.Count} entries but inputs has {request.Inputs.Count}; " +
                "give one raw entry per input, in the order of inputs, or use contents");
        }

        var inputs = new InputTensor[request.Inputs.Count];
        var requestBytes = 0L;
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
            CheckShapeElements(model, name, shape, limits);
            ReadOnlyMemory<byte> data;
            if (raw.Count > 0)
            {
                if (TypedContents.HasAny(input.Contents))
                {
                    InferenceException.ThrowInputInvalid(model, name,
                        "the input has both raw_input_contents and contents; send its data in one of them");
                }

                data = raw[i].Memory;
                requestBytes = AddRequestBytes(model, name, requestBytes, data.Length, limits);
            }
            else if (TypedContents.HasAny(input.Contents))
            {
                // Checked before converting: a few bytes of varints can stand for many bytes of raw data.
                var (elements, bytes) = TypedContents.Measure(type, input.Contents);
                CheckElements(model, name, elements, "contents hold", limits);
                requestBytes = AddRequestBytes(model, name, requestBytes, bytes, limits);
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
            Classifications = Classifications(request),
            Priority = request.Parameters.Count == 0 ? 0 : UnsignedParameter(request, PriorityParameter),
            QueueTimeout = request.Parameters.Count == 0 ? null : Timeout(request),
            // grpc-dotnet reports "no deadline" as DateTime.MaxValue.
            Deadline = deadline == default || deadline == DateTime.MaxValue ? null : new DateTimeOffset(deadline.ToUniversalTime()),
        };
    }

    private static void CheckShapeElements(string model, string name, long[] shape, RequestLimits limits)
    {
        // A negative dimension is the validator's to report, a zero one holds nothing; an overflowing product is
        // over any limit.
        if (Array.Exists(shape, static dim => dim <= 0))
        {
            return;
        }

        if (!TensorShape.TryGetVolume(shape, out var elements))
        {
            InferenceException.ThrowInputInvalid(model, name,
                $"shape {TensorShape.Format(shape)} has more than {long.MaxValue} elements, over the limit of {limits.MaxTensorElements} elements per tensor (--max-tensor-elements)");
        }

        CheckElements(model, name, elements, $"shape {TensorShape.Format(shape)} has", limits);
    }

    private static void CheckElements(string model, string name, long elements, string what, RequestLimits limits)
    {
        if (elements > limits.MaxTensorElements)
        {
            InferenceException.ThrowInputInvalid(model, name,
                $"{what} {elements} elements, over the limit of {limits.MaxTensorElements} elements per tensor (--max-tensor-elements)");
        }
    }

    private static long AddRequestBytes(string model, string name, long total, long bytes, RequestLimits limits)
    {
        total += bytes;
        if (total > limits.MaxRequestBytes)
        {
            InferenceException.ThrowInputInvalid(model, name,
                $"the request's tensor data reaches {total} bytes with this input ({bytes} bytes), over the limit of {limits.MaxRequestBytes} bytes per request (--max-request-bytes)");
        }

        return total;
    }

    private static TimeSpan? Timeout(ModelInferRequest request)
    {
        var micros = UnsignedParameter(request, TimeoutParameter);
        // Capped at 1000 years: the scheduler adds it to the current time, and a larger value (up to ulong.MaxValue
        // µs) would run past DateTimeOffset.MaxValue there and fail the request as INTERNAL.
        return micros == 0 ? null : TimeSpan.FromMicroseconds(Math.Min(micros, (ulong)MaxQueueTimeout.TotalMicroseconds));
    }

    private static ulong UnsignedParameter(ModelInferRequest request, string name)
    {
        if (!request.Parameters.TryGetValue(name, out var parameter))
        {
            return 0;
        }

        switch (parameter.ParameterChoiceCase)
        {
            case InferParameter.ParameterChoiceOneofCase.Uint64Param:
                return parameter.Uint64Param;
            case InferParameter.ParameterChoiceOneofCase.Int64Param when parameter.Int64Param >= 0:
                return (ulong)parameter.Int64Param;
            default:
                InferenceException.ThrowInvalid(
                    $"model '{request.ModelName}': parameter '{name}' must be a non-negative int64_param or uint64_param, got {Describe(parameter)}");
                return 0;
        }
    }

    private static string Describe(InferParameter parameter) => parameter.ParameterChoiceCase switch
    {
        InferParameter.ParameterChoiceOneofCase.Int64Param => $"int64_param {parameter.Int64Param}",
        InferParameter.ParameterChoiceOneofCase.Uint64Param => $"uint64_param {parameter.Uint64Param}",
        InferParameter.ParameterChoiceOneofCase.BoolParam => "a bool_param",
        InferParameter.ParameterChoiceOneofCase.StringParam => "a string_param",
        InferParameter.ParameterChoiceOneofCase.DoubleParam => "a double_param",
        _ => "no value",
    };

    /// <summary>Triton's classification extension: requested outputs whose <c>classification</c> parameter is k.</summary>
    private static IReadOnlyDictionary<string, int> Classifications(ModelInferRequest request)
    {
        Dictionary<string, int>? asks = null;
        foreach (var output in request.Outputs)
        {
            if (output.Parameters.Count == 0 || !output.Parameters.TryGetValue(ClassificationParameter, out var parameter))
            {
                continue;
            }

            if (parameter.ParameterChoiceCase != InferParameter.ParameterChoiceOneofCase.Int64Param || parameter.Int64Param < 1)
            {
                InferenceException.ThrowInvalid(
                    $"model '{request.ModelName}', requested output '{output.Name}': parameter '{ClassificationParameter}' must be an int64_param of 1 or more (the number of classes), got {Describe(parameter)}");
            }

            (asks ??= new Dictionary<string, int>(StringComparer.Ordinal))[output.Name] = (int)Math.Min(parameter.Int64Param, int.MaxValue);
        }

        return asks ?? (IReadOnlyDictionary<string, int>)EmptyClassifications;
    }

    private static readonly Dictionary<string, int> EmptyClassifications = new(StringComparer.Ordinal);

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

/// <summary>The bounds on one request's tensors (see <c>ServerOptions</c>), checked while decoding.</summary>
internal sealed record RequestLimits(long MaxTensorElements, long MaxRequestBytes, int MaxInputsPerRequest)
{
    /// <summary>The server's defaults: 64M elements per tensor, 64 MiB of tensor data, 64 inputs.</summary>
    public static RequestLimits Default { get; } = new(64L * 1024 * 1024, 64L * 1024 * 1024, 64);
}
