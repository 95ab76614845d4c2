using System.Text.Json.Serialization;

namespace InferenceGrpc.LoadGen.Results;

/// <summary>
/// One loadgen run, as written to <c>--out</c>: what was measured, against what, on which machine, and one
/// <see cref="LevelResult"/> per load level (concurrency, arrival rate or in-process batch size).
/// </summary>
internal sealed record BenchmarkRun
{
    public const int CurrentSchemaVersion = 1;

    public string Tool { get; init; } = "loadgen";

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary><see cref="RunKinds.Grpc"/> or <see cref="RunKinds.InProcess"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>The series name in tables and charts ("batching-on", "echo", ...).</summary>
    public required string Label { get; init; }

    /// <summary><see cref="RunRoles.Server"/>, <see cref="RunRoles.Echo"/> (transport ceiling) or <see cref="RunRoles.InProcess"/> (compute ceiling).</summary>
    public required string Role { get; init; }

    public required string Model { get; init; }

    public string? ModelVersion { get; init; }

    /// <summary>The server address (gRPC runs).</summary>
    public string? Server { get; init; }

    /// <summary>The ONNX file (in-process runs).</summary>
    public string? ModelFile { get; init; }

    public string? ExecutionProvider { get; init; }

    /// <summary>ONNX Runtime intra-op threads of an in-process run; 0: ONNX Runtime's default.</summary>
    public int? IntraOpThreads { get; init; }

    /// <summary>"closed" (N callers back to back), "open" (fixed arrival rate) or "single" (one in-process caller).</summary>
    public required string Mode { get; init; }

    /// <summary>ModelStreamInfer (one stream per caller) rather than unary ModelInfer.</summary>
    public bool Stream { get; init; }

    /// <summary>Requests in flight per stream.</summary>
    public int Window { get; init; } = 1;

    public int Connections { get; init; } = 1;

    /// <summary>Rows (batch dimension) per request; in-process runs vary it per level instead.</summary>
    public int Batch { get; init; } = 1;

    public int? SequenceLength { get; init; }

    public int Seed { get; init; }

    public double DurationSeconds { get; init; }

    public double WarmupSeconds { get; init; }

    public IReadOnlyList<InputInfo> Inputs { get; init; } = [];

    /// <summary>Tensor bytes of one request (batch <see cref="Batch"/>).</summary>
    public long RequestTensorBytes { get; init; }

    public required MachineInfo Machine { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>The command that produced this file.</summary>
    public string CommandLine { get; init; } = "";

    public IReadOnlyList<LevelResult> Levels { get; init; } = [];

    /// <summary>In-process runs: the batch size with the most rows per second.</summary>
    public int? BestBatchSize { get; init; }

    public double? BestRowsPerSecond { get; init; }
}

internal static class RunKinds
{
    public const string Grpc = "grpc";
    public const string InProcess = "inprocess";
}

internal static class RunRoles
{
    public const string Server = "server";
    public const string Echo = "echo";
    public const string InProcess = "inprocess";
}

/// <summary>One input as sent.</summary>
internal sealed record InputInfo(string Name, string Datatype, long[] Shape, long Bytes);

internal sealed record MachineInfo(int ProcessorCount, string Os, string Runtime, string Architecture)
{
    public static MachineInfo Current() => new(
        Environment.ProcessorCount,
        System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
        System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString());
}

/// <summary>One load level's measurements. Latencies in milliseconds; server timings in microseconds.</summary>
internal sealed record LevelResult
{
    /// <summary>Concurrent callers (closed loop), the in-flight cap (open loop), 1 in-process.</summary>
    public int Concurrency { get; init; }

    /// <summary>Open loop: the arrival rate asked for, requests per second.</summary>
    public double? TargetRatePerSecond { get; init; }

    /// <summary>Rows per request (the batch dimension).</summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>Successful requests in the measurement window.</summary>
    public long Requests { get; init; }

    public long Rows { get; init; }

    public long Errors { get; init; }

    /// <summary>Failed requests by gRPC status code name; in-band stream errors count as "IN_BAND".</summary>
    public IReadOnlyDictionary<string, long> ErrorsByStatus { get; init; } = new Dictionary<string, long>();

    public double ElapsedSeconds { get; init; }

    public double RequestsPerSecond { get; init; }

    public double RowsPerSecond { get; init; }

    public required LatencySummary LatencyMs { get; init; }

    /// <summary>Mean of the responses' <c>batch_size</c> parameter (rows of the batch each ran in); null when absent.</summary>
    public double? MeanBatchSize { get; init; }

    /// <summary>Mean of the responses' <c>queue_time_us</c> parameter; null when absent.</summary>
    public double? MeanQueueTimeUs { get; init; }

    /// <summary>Mean of the responses' <c>compute_time_us</c> parameter; null when absent.</summary>
    public double? MeanComputeTimeUs { get; init; }

    /// <summary>Open loop: requests sent later than the tolerance after their intended time.</summary>
    public long? Late { get; init; }

    /// <summary>Open loop: the largest delay between a request's intended and actual send time.</summary>
    public double? MaxSendLagMs { get; init; }

    public MemoryResult? Memory { get; init; }
}

internal sealed record LatencySummary(
    double P50,
    double P90,
    double P99,
    [property: JsonPropertyName("p99_9")] double P999,
    double Mean,
    double Min,
    double Max)
{
    public static LatencySummary Empty { get; } = new(0, 0, 0, 0, 0, 0, 0);
}

/// <summary>The load generator's own memory at the end of a level, and its allocations during it (warm-up included).</summary>
internal sealed record MemoryResult(
    double WorkingSetMb,
    double PeakWorkingSetMb,
    double ManagedHeapMb,
    double AllocatedMb,
    double AllocatedBytesPerRequest,
    int Gen0Collections,
    int Gen1Collections,
    int Gen2Collections);
