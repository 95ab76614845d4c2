using BenchmarkDotNet.Attributes;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Monitoring.Drift;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.Server.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using ModelConfig = InferenceGrpc.Core.Models.ModelConfig;

namespace InferenceGrpc.Microbenchmarks;

/// <summary>
/// What drift monitoring adds per request on the text_direction request shape, without ONNX Runtime or the network:
/// the request path of a version with drift off (a lookup), of one sampled at rate 1 (copy + hand-off), and the
/// consumer's folding of one sampled row into the windows, for 32 and 1024 monitored features.
/// </summary>
[MemoryDiagnoser]
public class DriftBenchmarks
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "igrpc-drift-bench-" + Guid.NewGuid().ToString("N"));
    private ModelRegistry _registry = null!;
    private DriftMonitor _monitor = null!;
    private DriftMonitor _full = null!;
    private ModelVersion _on = null!;
    private ModelVersion _off = null!;
    private InferenceRequest _request = null!;
    private InferenceResult _result = null!;

    [Params(32, 1024)]
    public int Features { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _request = RequestDecoder.Decode(TextDirection.Request());
        _result = new InferenceResult(TextDirection.Model, 1, [new OutputTensor(TextDirection.Output, DataType.Fp32, [1, 2], new byte[8])], null);
        var random = new Random(1);
        var column = new double[1000];
        var features = new FeatureBaseline[Features];
        for (var f = 0; f < features.Length; f++)
        {
            for (var r = 0; r < column.Length; r++)
            {
                column[r] = (random.NextDouble() * 2) - 1;
            }

            features[f] = BaselineBuilder.Feature(f, column);
        }

        Directory.CreateDirectory(_folder);
        File.WriteAllText(Path.Combine(_folder, DriftBaseline.FileName), DriftBaselineJson.Write(new DriftBaseline(1000,
            [new InputBaseline(TextDirection.Input, features)], [BaselineBuilder.Classes(TextDirection.Output, [0, 1], 2)])));

        var on = new ModelConfig { Name = "on", Parameters = new Dictionary<string, string> { ["drift.sample_rate"] = "1" } };
        var off = new ModelConfig { Name = "off" };
        _on = ModelVersion.Ready("on", 1, on, TextDirection.Signature, TextDirection.Scheduler(new InstantRunner()));
        _off = ModelVersion.Ready("off", 1, off, TextDirection.Signature, TextDirection.Scheduler(new InstantRunner()));
        _registry = new ModelRegistry();
        _registry.SetModel("on", on, null, [_on]);
        _registry.SetModel("off", off, null, [_off]);
        _monitor = new DriftMonitor(_registry, new DriftOptions(), v => v.ModelName == "on" ? Path.Combine(_folder, DriftBaseline.FileName) : null,
            NullLoggerFactory.Instance);
        _monitor.OnCompleted(new InferenceObservation(_off, _request, _result, TimeSpan.Zero));

        // A queue of one that nobody drains: every later sample is copied, offered, dropped and given back, which is
        // the whole request-path cost of a sampled request.
        _full = new DriftMonitor(_registry, new DriftOptions { QueueCapacity = 1 }, _ => Path.Combine(_folder, DriftBaseline.FileName),
            NullLoggerFactory.Instance);
        _full.OnCompleted(new InferenceObservation(_on, _request, _result, TimeSpan.Zero));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _registry.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>A version without a baseline: what every request of an unmonitored model pays.</summary>
    [Benchmark(Baseline = true)]
    public void RequestPathDriftOff() => _monitor.OnCompleted(new InferenceObservation(_off, _request, _result, TimeSpan.Zero));

    /// <summary>A sampled request: copy of the monitored elements and its prediction, then the hand-off.</summary>
    [Benchmark]
    public void RequestPathSampled()
    {
        _full.OnCompleted(new InferenceObservation(_on, _request, _result, TimeSpan.Zero));
    }

    /// <summary>Request path plus the consumer folding the row into every feature's window (figures amortised).</summary>
    [Benchmark]
    public void SampledAndFolded()
    {
        _monitor.OnCompleted(new InferenceObservation(_on, _request, _result, TimeSpan.Zero));
        _monitor.Flush(evaluate: false);
    }
}
