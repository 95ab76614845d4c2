using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Monitoring.Capture;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.Core.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;
using static InferenceGrpc.Core.Tests.Fakes.Specs;
using static InferenceGrpc.Core.Tests.Monitoring.Capture.CaptureTestData;

namespace InferenceGrpc.Core.Tests.Monitoring.Capture;

public sealed class CaptureObserverTests : IDisposable
{
    private const string Records = "inference.capture.records";
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 10, 0, 0, 123, TimeSpan.Zero);

    private readonly string _model = "capture-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "igrpc-capture-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(Start);
    private readonly TestMeterFactory _meters = new();
    private readonly MetricRecorder _metrics;
    private readonly RecordingLogger _logger = new();

    public CaptureObserverTests() => _metrics = new MetricRecorder(_model);

    public void Dispose()
    {
        _metrics.Dispose();
        _meters.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static readonly TensorSpec[] Inputs = [Tensor("FEATURES", DataType.Fp32, -1), Tensor("TEXT", DataType.Bytes, -1), Tensor("SECRET", DataType.Bytes, -1)];

    private static readonly TensorSpec[] Outputs =
        [Tensor("SCORES", DataType.Fp32, -1), Tensor("COUNT", DataType.Int64, -1), Tensor("HALF", DataType.Fp16, -1), Tensor("FLAGS", DataType.Bool, -1)];

    private ModelVersion Version(params (string Key, string Value)[] parameters) => CaptureTestData.Version(_model, Inputs, Outputs, parameters);

    private CaptureObserver Observer(string salt = "", int queueSize = 64) =>
        new(new CaptureOptions { Directory = _directory, Salt = salt, QueueSize = queueSize }, _meters, _logger, _time,
            new JsonlCaptureSink(_directory, _time));

    private static InferenceObservation Sample(ModelVersion version, string id) => Observation(version, id,
        [Fp32("FEATURES", 0.1f, -2.5f, 3e10f), Text("TEXT", "héllo", "b"), Text("SECRET", "4111-1111")],
        [Output("SCORES", DataType.Fp32, 0.25f, 0.75f), Output("COUNT", DataType.Int64, -7L), Output("HALF", DataType.Fp16, (Half)1.5, (Half)(-0.25)),
         Output("FLAGS", DataType.Bool, (byte)1, (byte)0)],
        TimeSpan.FromMilliseconds(1.5));

    private JsonElement[] Lines()
    {
        var files = Directory.GetFiles(Path.Combine(_directory, _model), "*.jsonl").Order(StringComparer.Ordinal);
        return files.SelectMany(File.ReadAllLines).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();
    }

    private static JsonElement Named(JsonElement line, string list, string name) =>
        line.GetProperty(list).EnumerateArray().Single(t => t.GetProperty("name").GetString() == name);

    private static string[] Strings(JsonElement tensor) => tensor.GetProperty("data").EnumerateArray().Select(e => e.GetString()!).ToArray();

    [Fact]
    public async Task OnCompleted_RateOne_WritesTheRequestAndTheAnswerAsOneJsonLine()
    {
        var observer = Observer();

        observer.OnCompleted(Sample(Version(("capture.sample_rate", "1")), "req-1"));
        await observer.DisposeAsync();

        var line = Assert.Single(Lines());
        Assert.Equal(_model, line.GetProperty("model").GetString());
        Assert.Equal(3, line.GetProperty("version").GetInt64());
        Assert.Equal("req-1", line.GetProperty("request_id").GetString());
        Assert.Equal("2026-11-27T10:00:00.1230000Z", line.GetProperty("timestamp").GetString());
        Assert.Equal(1.5, line.GetProperty("latency_ms").GetDouble());
        var features = Named(line, "inputs", "FEATURES");
        Assert.Equal("FP32", features.GetProperty("datatype").GetString());
        Assert.Equal([1, 3], features.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([0.1f, -2.5f, 3e10f], features.GetProperty("data").EnumerateArray().Select(e => e.GetSingle()));
        Assert.Equal(["héllo", "b"], Strings(Named(line, "inputs", "TEXT")));
        Assert.Equal(["4111-1111"], Strings(Named(line, "inputs", "SECRET")));
        Assert.Equal([0.25f, 0.75f], Named(line, "outputs", "SCORES").GetProperty("data").EnumerateArray().Select(e => e.GetSingle()));
        Assert.Equal([-7L], Named(line, "outputs", "COUNT").GetProperty("data").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([1.5, -0.25], Named(line, "outputs", "HALF").GetProperty("data").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal([true, false], Named(line, "outputs", "FLAGS").GetProperty("data").EnumerateArray().Select(e => e.GetBoolean()));
        Assert.Equal(1, _metrics.Sum(Records, ("outcome", "written")));
    }

    [Fact]
    public async Task OnCompleted_RedactionRules_DropLeavesTheTensorOutAndHashIsSaltedSha256OfEachElement()
    {
        var observer = Observer(salt: "pepper");
        var version = Version(("capture.sample_rate", "1"), ("capture.redact.SECRET", "drop"), ("capture.redact.TEXT", "hash"),
            ("capture.redact.SCORES", "hash"), ("capture.redact.FEATURES", "keep"));

        observer.OnCompleted(Sample(version, "req-1"));
        await observer.DisposeAsync();

        var line = Assert.Single(Lines());
        Assert.DoesNotContain(line.GetProperty("inputs").EnumerateArray(), t => t.GetProperty("name").GetString() == "SECRET");
        Assert.DoesNotContain("4111", line.GetRawText(), StringComparison.Ordinal);
        var text = Named(line, "inputs", "TEXT");
        Assert.Equal("hash", text.GetProperty("redaction").GetString());
        Assert.Equal([Sha256("pepper", Encoding.UTF8.GetBytes("héllo")), Sha256("pepper", "b"u8.ToArray())], Strings(text));
        Assert.Equal([Sha256("pepper", BitConverter.GetBytes(0.25f)), Sha256("pepper", BitConverter.GetBytes(0.75f))], Strings(Named(line, "outputs", "SCORES")));
        Assert.Equal(3, Named(line, "inputs", "FEATURES").GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task OnCompleted_RawEncoding_NumbersAreBase64OfTheirLittleEndianBytesAndBytesStayText()
    {
        var observer = Observer();

        observer.OnCompleted(Sample(Version(("capture.sample_rate", "1"), ("capture.encoding", "raw")), "req-raw"));
        await observer.DisposeAsync();

        var line = Assert.Single(Lines());
        var features = Named(line, "inputs", "FEATURES");
        Assert.Equal("raw", features.GetProperty("encoding").GetString());
        var bytes = Convert.FromBase64String(features.GetProperty("data").GetString()!);
        Assert.Equal([0.1f, -2.5f, 3e10f], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray());
        var count = Convert.FromBase64String(Named(line, "outputs", "COUNT").GetProperty("data").GetString()!);
        Assert.Equal(-7L, BitConverter.ToInt64(count));
        Assert.Equal(["héllo", "b"], Strings(Named(line, "inputs", "TEXT")));
        Assert.False(Named(line, "inputs", "TEXT").TryGetProperty("encoding", out _));
    }

    [Fact]
    public async Task OnCompleted_UnknownEncoding_CapturesNothingAndLogsTheConfigError()
    {
        var observer = Observer();

        observer.OnCompleted(Sample(Version(("capture.sample_rate", "1"), ("capture.encoding", "parquet")), "req-1"));
        await observer.DisposeAsync();

        Assert.False(Directory.Exists(Path.Combine(_directory, _model)));
        Assert.Contains(_logger.Entries, e => e.EventId.Name == "CaptureConfigInvalid");
    }

    [Fact]
    public async Task OnCompleted_BytesThatAreNotUtf8_AreWrittenAsBase64()
    {
        var observer = Observer();
        var version = Version(("capture.sample_rate", "1"));
        byte[] binary = [0xFF, 0x00, 0xC3];

        observer.OnCompleted(Observation(version, "bin", [Bytes("TEXT", binary, "ok"u8.ToArray())], [], TimeSpan.Zero));
        await observer.DisposeAsync();

        var text = Named(Assert.Single(Lines()), "inputs", "TEXT");
        Assert.Equal("base64", text.GetProperty("encoding").GetString());
        Assert.Equal([Convert.ToBase64String(binary), Convert.ToBase64String("ok"u8)], Strings(text));
    }

    [Fact]
    public async Task OnCompleted_SampleRateOneQuarter_CapturesEveryFourthRequest()
    {
        var observer = Observer();
        var version = Version(("capture.sample_rate", "0.25"));

        for (var i = 1; i <= 8; i++)
        {
            observer.OnCompleted(Sample(version, $"req-{i}"));
        }

        await observer.DisposeAsync();

        Assert.Equal(["req-4", "req-8"], Lines().Select(l => l.GetProperty("request_id").GetString()));
    }

    [Fact]
    public async Task OnCompleted_NoSampleRate_CapturesNothing()
    {
        var observer = Observer();

        observer.OnCompleted(Sample(Version(), "req-1"));
        await observer.DisposeAsync();

        Assert.False(Directory.Exists(Path.Combine(_directory, _model)));
        Assert.Empty(_metrics.All);
    }

    [Fact]
    public async Task OnCompleted_WriterBlocked_DropsPastTheQueueAndCountsThemWithoutWaiting()
    {
        var sink = new GatedSink();
        var observer = new CaptureObserver(new CaptureOptions { Directory = _directory, QueueSize = 1 }, _meters, _logger, _time, sink);
        var version = Version(("capture.sample_rate", "1"));

        observer.OnCompleted(Sample(version, "req-1"));
        await sink.Entered.Task.WaitAsync(MetricRecorder.HangGuard);   // the writer holds req-1 and is stuck in the sink
        observer.OnCompleted(Sample(version, "req-2"));                 // fills the queue of 1
        observer.OnCompleted(Sample(version, "req-3"));
        observer.OnCompleted(Sample(version, "req-4"));

        Assert.Equal(2, _metrics.Sum(Records, ("outcome", "dropped"), ("version", "3")));
        sink.Gate.SetResult();
        await observer.DisposeAsync();
        Assert.Equal(["req-1", "req-2"], sink.Ids);
        Assert.Equal(2, _metrics.Sum(Records, ("outcome", "written")));
    }

    [Fact]
    public async Task OnCompleted_SinkThrows_CountsFailedAndKeepsWriting()
    {
        var sink = new GatedSink { FailFirst = true };
        sink.Gate.SetResult();
        var observer = new CaptureObserver(new CaptureOptions { Directory = _directory }, _meters, _logger, _time, sink);
        var version = Version(("capture.sample_rate", "1"));

        observer.OnCompleted(Sample(version, "req-1"));
        observer.OnCompleted(Sample(version, "req-2"));
        await observer.DisposeAsync();

        Assert.Equal(1, _metrics.Sum(Records, ("outcome", "failed")));
        Assert.Equal(1, _metrics.Sum(Records, ("outcome", "written")));
        Assert.Equal(["req-2"], sink.Ids);
        Assert.Contains(_logger.Entries, e => e.EventId.Name == "CaptureWriteFailed");
    }

    [Fact]
    public async Task OnCompleted_MalformedCaptureParameter_CapturesNothingAndLogsTheConfigError()
    {
        var observer = Observer();

        observer.OnCompleted(Sample(Version(("capture.sample_rate", "2")), "req-1"));
        await observer.DisposeAsync();

        Assert.False(Directory.Exists(Path.Combine(_directory, _model)));
        Assert.Contains(_logger.Entries, e => e.EventId.Name == "CaptureConfigInvalid");
    }

    [Fact]
    public async Task OnCompleted_AfterDispose_CountsTheRecordAsDropped()
    {
        var observer = Observer();
        var version = Version(("capture.sample_rate", "1"));
        await observer.DisposeAsync();

        observer.OnCompleted(Sample(version, "late"));

        Assert.Equal(1, _metrics.Sum(Records, ("outcome", "dropped")));
    }

    private static string Sha256(string salt, byte[] element) =>
        Convert.ToHexStringLower(SHA256.HashData([.. Encoding.UTF8.GetBytes(salt), .. element]));

    /// <summary>A sink that waits at a gate before its first append, and remembers the request ids it was given.</summary>
    private sealed class GatedSink : ICaptureSink
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool FailFirst { get; init; }

        public List<string> Ids { get; } = [];

        public async ValueTask<CaptureAppend> AppendAsync(CaptureSettings settings, ReadOnlyMemory<byte> line, CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            await Gate.Task;
            var id = JsonDocument.Parse(line).RootElement.GetProperty("request_id").GetString()!;
            if (FailFirst && Ids.Count == 0 && !_failed)
            {
                _failed = true;
                throw new IOException("disk full");
            }

            Ids.Add(id);
            return new CaptureAppend(true, 0);
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private bool _failed;
    }
}
