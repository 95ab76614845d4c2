using System.Text.Json;
using InferenceGrpc.LoadGen.Results;

namespace InferenceGrpc.LoadGen.Tests.Results;

public sealed class ResultJsonTests
{
    private static BenchmarkRun FullRun() => Runs.Grpc("batching-on", RunRoles.Server, (1, 500, 2.0, 1.0), (32, 1800.5, 17.25, 12.5)) with
    {
        Levels =
        [
            Runs.Level(8, 1, 900, 8.5) with
            {
                Errors = 3,
                ErrorsByStatus = new Dictionary<string, long> { ["Unavailable"] = 2, ["IN_BAND"] = 1 },
                MeanBatchSize = 7.75,
                MeanQueueTimeUs = 1234.5,
                MeanComputeTimeUs = 4321,
                Late = 4,
                MaxSendLagMs = 3.25,
                TargetRatePerSecond = 900,
                Memory = new MemoryResult(70.1, 80.2, 12.3, 456.7, 120_655.5, 10, 2, 0),
            },
        ],
        Stream = true,
        Window = 4,
        SequenceLength = 128,
    };

    [Fact]
    public void Serialize_ThenDeserialize_GivesTheSameDocument()
    {
        var json = ResultJson.Serialize(FullRun());

        var back = ResultJson.Deserialize(json);

        Assert.Equal(json, ResultJson.Serialize(back));
        Assert.Equal(7.75, back.Levels[0].MeanBatchSize);
        Assert.Equal(2, back.Levels[0].ErrorsByStatus["Unavailable"]);
        Assert.Equal([1, 3, 48, 192], back.Inputs[0].Shape);
        Assert.Equal(FullRun().StartedAt, back.StartedAt);
        Assert.Equal(FullRun().Levels[0].LatencyMs, back.Levels[0].LatencyMs);
        Assert.Equal(FullRun().Levels[0].Memory, back.Levels[0].Memory);
    }

    [Fact]
    public void Serialize_UsesSnakeCaseAndLeavesAbsentParametersOut()
    {
        var run = Runs.Grpc("echo", RunRoles.Echo, (1, 500, 1.0, null));

        using var document = JsonDocument.Parse(ResultJson.Serialize(run));
        var level = document.RootElement.GetProperty("levels")[0];

        Assert.Equal("loadgen", document.RootElement.GetProperty("tool").GetString());
        Assert.Equal(BenchmarkRun.CurrentSchemaVersion, document.RootElement.GetProperty("schema_version").GetInt32());
        Assert.Equal(500, level.GetProperty("rows_per_second").GetDouble());
        Assert.Equal(4.0, level.GetProperty("latency_ms").GetProperty("p99_9").GetDouble());
        Assert.False(level.TryGetProperty("mean_batch_size", out _));
        Assert.Null(ResultJson.Deserialize(document.RootElement.GetRawText()).Levels[0].MeanBatchSize);
    }

    [Fact]
    public void WriteThenRead_File_RoundTrips()
    {
        var path = Path.Combine(Path.GetTempPath(), $"loadgen-{Guid.NewGuid():N}", "nested", "run.json");
        try
        {
            ResultJson.Write(path, FullRun());

            var back = ResultJson.Read(path);

            Assert.Equal(ResultJson.Serialize(FullRun()), ResultJson.Serialize(back));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(path))!, recursive: true);
        }
    }

    [Theory]
    [InlineData("{\"tool\":\"other\",\"schema_version\":1,\"kind\":\"grpc\",\"label\":\"x\",\"role\":\"server\",\"model\":\"m\",\"mode\":\"closed\",\"machine\":{\"processor_count\":1,\"os\":\"\",\"runtime\":\"\",\"architecture\":\"\"},\"started_at\":\"2026-01-01T00:00:00+00:00\"}")]
    [InlineData("{\"tool\":\"loadgen\",\"schema_version\":99,\"kind\":\"grpc\",\"label\":\"x\",\"role\":\"server\",\"model\":\"m\",\"mode\":\"closed\",\"machine\":{\"processor_count\":1,\"os\":\"\",\"runtime\":\"\",\"architecture\":\"\"},\"started_at\":\"2026-01-01T00:00:00+00:00\"}")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{\"tool\":\"loadgen\"}")]
    public void Read_NotALoadgenResult_ThrowsInvalidData(string content)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, content);

            var ex = Assert.Throws<InvalidDataException>(() => ResultJson.Read(path));

            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
