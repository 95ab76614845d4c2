using System.Globalization;
using Google.Protobuf.Collections;
using Inference;

namespace InferenceGrpc.LoadGen.Grpc;

/// <summary>
/// The scheduler's per-response parameters, when the server sends them: rows of the batch the request ran in, and
/// its queue and compute time. Servers that send none (or send them as another numeric type) are fine.
/// </summary>
internal static class ResponseParameters
{
    public const string BatchSize = "batch_size";
    public const string QueueTimeUs = "queue_time_us";
    public const string ComputeTimeUs = "compute_time_us";

    public static bool TryGetInt64(MapField<string, InferParameter> parameters, string name, out long value)
    {
        value = 0;
        if (!parameters.TryGetValue(name, out var parameter))
        {
            return false;
        }

        switch (parameter.ParameterChoiceCase)
        {
            case InferParameter.ParameterChoiceOneofCase.Int64Param:
                value = parameter.Int64Param;
                return true;
            case InferParameter.ParameterChoiceOneofCase.Uint64Param when parameter.Uint64Param <= long.MaxValue:
                value = (long)parameter.Uint64Param;
                return true;
            case InferParameter.ParameterChoiceOneofCase.DoubleParam:
                value = (long)Math.Round(parameter.DoubleParam);
                return true;
            case InferParameter.ParameterChoiceOneofCase.StringParam:
                return long.TryParse(parameter.StringParam, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
            default:
                return false;
        }
    }
}
