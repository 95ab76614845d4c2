using InferenceGrpc.LoadGen.Results;

namespace InferenceGrpc.LoadGen.Tests.Results;

/// <summary>Result files as the commands write them, for tests of what reads them.</summary>
internal static class Runs
{
    public static readonly MachineInfo Machine = new(2, "Linux test", ".NET 10.0.0", "X64");

    public static BenchmarkRun Grpc(string label, string role, params (int Concurrency, double RowsPerSecond, double P50, double? Batch)[] levels) => new()
    {
        Kind = RunKinds.Grpc,
        Label = label,
        Role = role,
        Model = "text_direction",
        Server = "http://127.0.0.1:8001",
        Mode = "closed",
        Inputs = [new InputInfo("x", "FP32", [1, 3, 48, 192], 110_592)],
        RequestTensorBytes = 110_592,
        DurationSeconds = 10,
        WarmupSeconds = 2,
        Machine = Machine,
        StartedAt = new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero),
        CommandLine = $"loadgen grpc --label {label}",
        Levels = levels.Select(l => Level(l.Concurrency, 1, l.RowsPerSecond, l.P50) with { MeanBatchSize = l.Batch }).ToArray(),
    };

    public static BenchmarkRun InProcess(params (int Batch, double RowsPerSecond, double P50)[] levels)
    {
        var best = levels.MaxBy(l => l.RowsPerSecond);
        return new BenchmarkRun
        {
            Kind = RunKinds.InProcess,
            Label = "in-process",
            Role = RunRoles.InProcess,
            Model = "text_direction",
            ModelFile = "artifacts/models/text_direction/1/model.onnx",
            ExecutionProvider = "cpu",
            IntraOpThreads = 0,
            Mode = "single",
            Machine = Machine,
            StartedAt = new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero),
            Levels = levels.Select(l => Level(1, l.Batch, l.RowsPerSecond, l.P50)).ToArray(),
            BestBatchSize = best.Batch,
            BestRowsPerSecond = best.RowsPerSecond,
        };
    }

    public static LevelResult Level(int concurrency, int batch, double rowsPerSecond, double p50) => new()
    {
        Concurrency = concurrency,
        BatchSize = batch,
        Requests = (long)(rowsPerSecond / batch * 10),
        Rows = (long)(rowsPerSecond * 10),
        ElapsedSeconds = 10,
        RequestsPerSecond = rowsPerSecond / batch,
        RowsPerSecond = rowsPerSecond,
        LatencyMs = new LatencySummary(p50, p50 * 2, p50 * 3, p50 * 4, p50 * 1.1, p50 / 2, p50 * 5),
    };
}
