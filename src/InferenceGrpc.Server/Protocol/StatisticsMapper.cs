using Inference;
using InferenceGrpc.Core.Diagnostics;
using CoreStatistics = InferenceGrpc.Core.Diagnostics.ModelStatistics;
using WireStatistics = Inference.ModelStatistics;

namespace InferenceGrpc.Server.Protocol;

/// <summary>A version's statistics as Triton's <c>ModelStatistics</c>, from the same counters as the metrics.</summary>
internal static class StatisticsMapper
{
    public static WireStatistics ToWire(string model, long version, CoreStatistics statistics)
    {
        var wire = new WireStatistics
        {
            Name = model,
            Version = version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            LastInference = (ulong)statistics.LastInferenceMs,
            InferenceCount = (ulong)statistics.InferenceCount,
            ExecutionCount = (ulong)statistics.ExecutionCount,
            InferenceStats = new InferStatistics
            {
                Success = Duration(statistics.Success),
                Fail = Duration(statistics.Fail),
                Queue = Duration(statistics.Queue),
                ComputeInput = Duration(statistics.ComputeInput),
                ComputeInfer = Duration(statistics.ComputeInfer),
                ComputeOutput = Duration(statistics.ComputeOutput),
                CacheHit = new StatisticDuration(),
                CacheMiss = new StatisticDuration(),
            },
        };
        foreach (var batch in statistics.Batches)
        {
            wire.BatchStats.Add(new InferBatchStatistics
            {
                BatchSize = (ulong)batch.BatchSize,
                ComputeInput = Duration(batch.ComputeInput),
                ComputeInfer = Duration(batch.ComputeInfer),
                ComputeOutput = Duration(batch.ComputeOutput),
            });
        }

        return wire;
    }

    private static StatisticDuration Duration(DurationStatistic statistic) =>
        new() { Count = (ulong)statistic.Count, Ns = (ulong)statistic.Nanoseconds };
}
