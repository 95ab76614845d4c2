using InferenceGrpc.LoadGen.Charting;
using InferenceGrpc.LoadGen.Results;
using InferenceGrpc.LoadGen.Tests.Results;

namespace InferenceGrpc.LoadGen.Tests.Charting;

public sealed class ChartDataTests
{
    [Fact]
    public void From_GrpcAndInProcess_MedianAndTailPerRunAndACeilingLine()
    {
        var server = Runs.Grpc("batching-on", RunRoles.Server, (1, 500, 2.0, 1.0), (8, 1600, 5, 6.5));
        var inProcess = Runs.InProcess((1, 800, 1.25), (32, 3200, 10));

        var chart = ChartData.From([server, inProcess], title: null);

        Assert.Equal(["batching-on p50", "batching-on p99", "in-process p50 (batch 1..32)"], chart.Series.Select(s => s.Label));
        Assert.Equal([500, 1600], chart.Series[0].Throughput);
        Assert.Equal([2.0, 5.0], chart.Series[0].LatencyMs);
        Assert.Equal([6.0, 15.0], chart.Series[1].LatencyMs);
        Assert.Equal(["c=1", "c=8"], chart.Series[0].Tags);
        Assert.Equal(["b=1", "b=32"], chart.Series[2].Tags);
        Assert.Equal(3200, Assert.Single(chart.Ceilings).Throughput);
        Assert.Equal("text_direction: latency vs throughput (2 cores)", chart.Title);
    }

    [Fact]
    public void SavePng_WritesAPicture()
    {
        var path = Path.Combine(Path.GetTempPath(), $"loadgen-chart-{Guid.NewGuid():N}.png");
        try
        {
            var chart = ChartData.From([Runs.Grpc("echo", RunRoles.Echo, (1, 1000, 0.5, null), (8, 4000, 2, null)), Runs.InProcess((1, 800, 1.25))], "test");

            LatencyThroughputChart.SavePng(chart, path, logLatency: true, width: 320, height: 240);

            var header = File.ReadAllBytes(path).Take(8).ToArray();
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, header);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
