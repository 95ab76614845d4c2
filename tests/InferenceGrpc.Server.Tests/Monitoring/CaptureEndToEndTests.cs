using System.Runtime.InteropServices;
using System.Text.Json;
using Inference;
using InferenceGrpc.Server.Tests.Infrastructure;
using InferenceGrpc.TestModels;

namespace InferenceGrpc.Server.Tests.Monitoring;

/// <summary>
/// Prediction capture over real gRPC: a Scale model with <c>capture.sample_rate</c> 1, requests sent, the server
/// shut down (which flushes the writer), then the JSONL files read back and compared with what went over the wire.
/// </summary>
public sealed class CaptureEndToEndTests : IDisposable
{
    private const string Model = "capture_scale";

    private readonly TestRepository _repository = new();
    private readonly string _captures = Path.Combine(Path.GetTempPath(), "igrpc-captures-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        _repository.Dispose();
        if (Directory.Exists(_captures))
        {
            Directory.Delete(_captures, recursive: true);
        }
    }

    [Fact]
    public async Task ModelInfer_CaptureOn_FilesHoldWhatWasSentAndAnswered()
    {
        _repository.AddModel(Model, TestModelFactory.Scale(2f))
            .AddConfig(Model, """{"parameters": {"capture.sample_rate": {"string_value": "1"}, "capture.redact.INPUT0": {"string_value": "keep"}}}""");
        var sent = new List<(string Id, float[] Input, float[] Output)>();
        var server = await RunningServer.StartAsync(_repository.Root, new Dictionary<string, string?> { ["Capture:Directory"] = _captures });
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var input = Requests.Sequence(8, 0.5f, start: i);
                var response = await server.Client.ModelInferAsync(Requests.For(Model, id: $"req-{i}").WithRaw("INPUT0", "FP32", [2, 4], Requests.Floats(input)));
                sent.Add(($"req-{i}", input, MemoryMarshal.Cast<byte, float>(response.RawOutputContents[0].Span).ToArray()));
            }
        }
        finally
        {
            await server.DisposeAsync();
        }

        var lines = Directory.GetFiles(Path.Combine(_captures, Model), "*.jsonl")
            .SelectMany(File.ReadAllLines)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .OrderBy(l => l.GetProperty("request_id").GetString(), StringComparer.Ordinal)
            .ToList();
        Assert.Equal(sent.Select(s => s.Id), lines.Select(l => l.GetProperty("request_id").GetString()));
        foreach (var (line, (_, input, output)) in lines.Zip(sent))
        {
            Assert.Equal(Model, line.GetProperty("model").GetString());
            Assert.Equal(1, line.GetProperty("version").GetInt64());
            Assert.True(DateTimeOffset.TryParse(line.GetProperty("timestamp").GetString(), out _));
            Assert.True(line.GetProperty("latency_ms").GetDouble() > 0);
            var captured = line.GetProperty("inputs")[0];
            Assert.Equal(("INPUT0", "FP32"), (captured.GetProperty("name").GetString(), captured.GetProperty("datatype").GetString()));
            Assert.Equal([2L, 4L], captured.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
            Assert.Equal(input, captured.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
            var answered = line.GetProperty("outputs")[0];
            Assert.Equal("OUTPUT0", answered.GetProperty("name").GetString());
            Assert.Equal(output, answered.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
            Assert.Equal(input.Select(v => v * 2f), output);
        }
    }
}
