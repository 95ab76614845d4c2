using Inference;

namespace InferenceGrpc.LoadGen.Grpc;

/// <summary>
/// Counters of one caller (not thread-safe: each caller has its own; <see cref="Merge"/> them at the end).
/// Latencies go to the shared <see cref="Measurement.LatencyRecorder"/> instead.
/// </summary>
internal sealed class CallStats
{
    public const string InBandError = "IN_BAND";

    private Dictionary<string, long>? _errors;

    /// <summary>Successes in the measurement window.</summary>
    public long Requests { get; private set; }

    /// <summary>Every request sent, warm-up included (for allocation per request).</summary>
    public long Sent { get; set; }

    public long Errors { get; private set; }

    public long BatchSizeSum { get; private set; }

    public long BatchSizeCount { get; private set; }

    public long QueueTimeSum { get; private set; }

    public long QueueTimeCount { get; private set; }

    public long ComputeTimeSum { get; private set; }

    public long ComputeTimeCount { get; private set; }

    public long Late { get; set; }

    public long MaxSendLagTicks { get; set; }

    public IReadOnlyDictionary<string, long> ErrorsByStatus => _errors ?? (IReadOnlyDictionary<string, long>)new Dictionary<string, long>();

    public void Success(ModelInferResponse response)
    {
        Requests++;
        var parameters = response.Parameters;
        if (parameters.Count == 0)
        {
            return;
        }

        if (ResponseParameters.TryGetInt64(parameters, ResponseParameters.BatchSize, out var batch))
        {
            BatchSizeSum += batch;
            BatchSizeCount++;
        }

        if (ResponseParameters.TryGetInt64(parameters, ResponseParameters.QueueTimeUs, out var queue))
        {
            QueueTimeSum += queue;
            QueueTimeCount++;
        }

        if (ResponseParameters.TryGetInt64(parameters, ResponseParameters.ComputeTimeUs, out var compute))
        {
            ComputeTimeSum += compute;
            ComputeTimeCount++;
        }
    }

    public void Error(string status)
    {
        Errors++;
        _errors ??= new Dictionary<string, long>(StringComparer.Ordinal);
        _errors[status] = _errors.GetValueOrDefault(status) + 1;
    }

    public void Merge(CallStats other)
    {
        Requests += other.Requests;
        Sent += other.Sent;
        Errors += other.Errors;
        BatchSizeSum += other.BatchSizeSum;
        BatchSizeCount += other.BatchSizeCount;
        QueueTimeSum += other.QueueTimeSum;
        QueueTimeCount += other.QueueTimeCount;
        ComputeTimeSum += other.ComputeTimeSum;
        ComputeTimeCount += other.ComputeTimeCount;
        Late += other.Late;
        MaxSendLagTicks = Math.Max(MaxSendLagTicks, other.MaxSendLagTicks);
        foreach (var (status, count) in other.ErrorsByStatus)
        {
            _errors ??= new Dictionary<string, long>(StringComparer.Ordinal);
            _errors[status] = _errors.GetValueOrDefault(status) + count;
        }
    }

    public static double? Mean(long sum, long count) => count > 0 ? sum / (double)count : null;
}
