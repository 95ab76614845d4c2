using InferenceGrpc.LoadGen.Reporting;
using InferenceGrpc.LoadGen.Results;
using InferenceGrpc.LoadGen.Tests.Results;

namespace InferenceGrpc.LoadGen.Tests.Reporting;

public sealed class SummaryWriterTests
{
    [Fact]
    public void Write_ServerEchoAndInProcess_GivesRatiosToBothCeilingsAndTheFixedCost()
    {
        var inProcess = Runs.InProcess((1, 800, 1.25), (32, 3200, 10));
        var echo = Runs.Grpc("echo", RunRoles.Echo, (1, 1000, 0.5, null), (8, 4000, 2, null));
        var server = Runs.Grpc("batching-on", RunRoles.Server, (1, 500, 2.0, 1.0), (8, 1600, 5, 6.5));

        var markdown = SummaryWriter.Write([inProcess, echo, server], "Smoke", ["DURATION=2"]);

        Assert.Contains("# Smoke", markdown, StringComparison.Ordinal);
        Assert.Contains("- DURATION=2", markdown, StringComparison.Ordinal);
        Assert.Contains("Best: batch 32, 3,200.0 rows/s.", markdown, StringComparison.Ordinal);
        // c=8: 1600 / 4000 echo = 0.40×, 1600 / 3200 in-process best = 0.50×; mean batch 6.50.
        Assert.Contains("| batching-on | unary | 8 | 1,600.0 | 1,600.0 | 5.00 | 10.0 | 15.0 | 20.0 | 6.50 | 0 | 0.40× | 0.50× |", markdown, StringComparison.Ordinal);
        // The echo server sends no batch_size.
        Assert.Contains("| echo | unary | 1 | 1,000.0 | 1,000.0 | 0.500 | 1.00 | 1.50 | 2.00 | n/a | 0 | 1.00× | 0.31× |", markdown, StringComparison.Ordinal);
        // Headline: c=1 p50 2.00 ms minus in-process batch-1 p50 1.25 ms = 0.75 ms, minus echo c=1 0.5 ms = 0.25 ms.
        Assert.Contains("| batching-on | 1,600.0 | 8 | 0.50× | 0.40× | 2.00 | +0.750 | +0.250 |", markdown, StringComparison.Ordinal);
        Assert.Contains("Transport ceiling (echo): best 4,000.0 rows/s at concurrency 8; one request round trip (c=1 p50) 0.500 ms.", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("| echo | 4,000.0", markdown, StringComparison.Ordinal);
        Assert.Contains("loadgen grpc --label batching-on", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_WithoutCeilings_ShowsDashesNotZeros()
    {
        var markdown = SummaryWriter.Write([Runs.Grpc("batching-off", RunRoles.Server, (1, 500, 2.0, null))], "Only server", []);

        Assert.Contains("| batching-off | 500.0 | 1 | — | — | 2.00 | — | — |", markdown, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(50, 100.0, "0.50×")]
    [InlineData(16, 39_228.0, "0.00041×")]
    [InlineData(5, 100.0, "0.050×")]
    [InlineData(50, 0.0, "—")]
    [InlineData(50, null, "—")]
    public void Ratio_FormatsOrDashes(double value, double? baseline, string expected)
    {
        Assert.Equal(expected, SummaryWriter.Ratio(value, baseline));
    }
}
