namespace InferenceGrpc.Core.Diagnostics;

/// <summary>
/// Cumulative statistics of one model version, with the meaning of Triton's <c>ModelStatistics</c>: per request
/// (success, fail, queue and the compute of the batch it ran in) and per execution, by batch size. Thread-safe.
/// </summary>
public sealed class ModelStatistics(int maxBatchSize)
{
    // Index = rows of the execution; bounded by max_batch_size, so the array never grows.
    private readonly BatchStatistics?[] _batches = new BatchStatistics?[Math.Max(1, maxBatchSize) + 1];
    private long _inferenceCount;
    private long _executionCount;
    private long _lastInferenceMs;

    public DurationStatistic Success { get; } = new();

    public DurationStatistic Fail { get; } = new();

    public DurationStatistic Queue { get; } = new();

    public DurationStatistic ComputeInput { get; } = new();

    public DurationStatistic ComputeInfer { get; } = new();

    public DurationStatistic ComputeOutput { get; } = new();

    /// <summary>Rows inferred (a batch of 8 rows counts 8).</summary>
    public long InferenceCount => Volatile.Read(ref _inferenceCount);

    /// <summary>Executions (a batch counts 1): InferenceCount / ExecutionCount is the mean batch size.</summary>
    public long ExecutionCount => Volatile.Read(ref _executionCount);

    /// <summary>Milliseconds since the Unix epoch of the last execution; 0 before the first.</summary>
    public long LastInferenceMs => Volatile.Read(ref _lastInferenceMs);

    /// <summary>The executions by batch size, ascending.</summary>
    public IEnumerable<BatchStatistics> Batches => _batches.OfType<BatchStatistics>();

    /// <summary>One execution of <paramref name="rows"/> rows serving <paramref name="requests"/> requests.</summary>
    public void RecordExecution(int rows, int requests, TimeSpan input, TimeSpan infer, TimeSpan output, DateTimeOffset now)
    {
        Interlocked.Add(ref _inferenceCount, rows);
        Interlocked.Increment(ref _executionCount);
        Volatile.Write(ref _lastInferenceMs, now.ToUnixTimeMilliseconds());

        // Triton attributes the batch's compute to each of its requests.
        ComputeInput.Add(input, requests);
        ComputeInfer.Add(infer, requests);
        ComputeOutput.Add(output, requests);

        var index = Math.Clamp(rows, 0, _batches.Length - 1);
        var batch = Volatile.Read(ref _batches[index]) ?? InitBatch(index, rows);
        batch.ComputeInput.Add(input);
        batch.ComputeInfer.Add(infer);
        batch.ComputeOutput.Add(output);
    }

    private BatchStatistics InitBatch(int index, int rows)
    {
        Interlocked.CompareExchange(ref _batches[index], new BatchStatistics(rows), null);
        return _batches[index]!;
    }
}

/// <summary>Executions of one batch size.</summary>
public sealed class BatchStatistics(int batchSize)
{
    public int BatchSize { get; } = batchSize;

    public DurationStatistic ComputeInput { get; } = new();

    public DurationStatistic ComputeInfer { get; } = new();

    public DurationStatistic ComputeOutput { get; } = new();
}
