using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;
using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Monitoring.Drift;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.Core.Tests.Fakes;
using Microsoft.Extensions.Logging;
using static InferenceGrpc.Core.Tests.Fakes.Specs;

namespace InferenceGrpc.Core.Tests.Monitoring.Drift;

/// <summary>
/// A ready version (input "x": 2 FP32 features per row; output "probs": 3 classes) in a registry, its baseline in a
/// temp folder, and a monitor over them whose consumer the test drives with <see cref="DriftMonitor.Flush"/>.
/// Training data: x[0] ~ N(0, 1), x[1] ~ U(0, 10); the predicted class is 0, 1 or 2 as x[0] &lt; 0, &lt; 1 or above.
/// </summary>
internal sealed class DriftKit : IDisposable
{
    public const string Input = "x";
    public const string Output = "probs";

    private readonly TempRepository _folder = new();
    private readonly Random _random = new(7);

    public DriftKit(IReadOnlyDictionary<string, string>? parameters = null, string? baselineJson = "", int queueCapacity = 1024, IMeterFactory? meters = null)
    {
        Model = "drift-" + Guid.NewGuid().ToString("N")[..8];
        var graph = Graph([Tensor(Input, DataType.Fp32, -1, 2)], [Tensor(Output, DataType.Fp32, -1, 3)]);
        Runner = new FakeModelRunner(graph) { OnRun = (inputs, _) => Run(inputs) };
        var config = new ModelConfig { Name = Model, Parameters = parameters ?? new Dictionary<string, string> { ["drift.sample_rate"] = "1", ["drift.window"] = "500" } };
        var signature = SignatureResolver.Resolve(config, graph, defaultMaxBatchSize: 64);
        Version = ModelVersion.Ready(Model, 1, config, signature, Schedulers.For(Model, 1, signature, Runner));
        Registry.SetModel(Model, config, null, [Version]);

        BaselinePath = Path.Combine(_folder.Root, DriftBaseline.FileName);
        if (baselineJson is not null)
        {
            File.WriteAllText(BaselinePath, baselineJson.Length > 0 ? baselineJson : DriftBaselineJson.Write(TrainingBaseline()));
        }

        Monitor = new DriftMonitor(Registry, new DriftOptions { QueueCapacity = queueCapacity }, _ => BaselinePath, new LoggerFactory(Logger), meters);
    }

    public string Model { get; }

    public ModelRegistry Registry { get; } = new();

    public ModelVersion Version { get; }

    public FakeModelRunner Runner { get; }

    public RecordingLogger Logger { get; } = new();

    public DriftMonitor Monitor { get; }

    public string BaselinePath { get; }

    public int Count(string eventName) => Logger.Entries.Count(e => e.EventId.Name == eventName);

    /// <summary>The baseline of 5000 training rows.</summary>
    public static DriftBaseline TrainingBaseline()
    {
        var random = new Random(1);
        var x0 = new double[5000];
        var x1 = new double[5000];
        var classes = new int[5000];
        for (var i = 0; i < x0.Length; i++)
        {
            x0[i] = Normal(random);
            x1[i] = random.NextDouble() * 10;
            classes[i] = ClassOf(x0[i]);
        }

        return new DriftBaseline(5000,
            [new InputBaseline(Input, [BaselineBuilder.Feature(0, x0), BaselineBuilder.Feature(1, x1)])],
            [BaselineBuilder.Classes(Output, classes, 3)]);
    }

    /// <summary>Observes <paramref name="rows"/> rows in requests of <paramref name="perRequest"/> rows, as the executor would.</summary>
    public void Feed(int rows, double shift = 0, int perRequest = 5, Func<int, (double X0, double X1)>? row = null)
    {
        for (var done = 0; done < rows; done += perRequest)
        {
            var values = new float[perRequest * 2];
            for (var r = 0; r < perRequest; r++)
            {
                var (a, b) = row?.Invoke(done + r) ?? (Normal(_random) + shift, _random.NextDouble() * 10);
                values[2 * r] = (float)a;
                values[(2 * r) + 1] = (float)b;
            }

            var request = Request(values, perRequest);
            using var result = Result(Run(request.Inputs));
            Monitor.OnCompleted(new InferenceObservation(Version, request, result, TimeSpan.Zero));
        }
    }

    public InferenceRequest Request(float[] values, int rows) => new()
    {
        ModelName = Model,
        Inputs = [new InputTensor(Input, DataType.Fp32, [rows, 2], MemoryMarshal.AsBytes(values.AsSpan()).ToArray())],
    };

    public VersionDriftView View => Assert.Single(Monitor.Monitored);

    public DriftFigures Figures => View.Figures ?? throw new Xunit.Sdk.XunitException("no figures yet");

    public double Figure(Func<DriftFigures, double[]> figure, string label)
    {
        var f = Figures;
        return figure(f)[Array.IndexOf(f.Labels, label)];
    }

    public void Dispose()
    {
        Registry.Dispose();
        _folder.Dispose();
    }

    private InferenceResult Result(RunResult run) => new(Model, 1, run.Outputs, run.Owner);

    /// <summary>One-hot-ish probabilities whose argmax is the class of x[0].</summary>
    private static RunResult Run(IReadOnlyList<InputTensor> inputs)
    {
        var x = MemoryMarshal.Cast<byte, float>(inputs[0].Data.Span);
        var rows = x.Length / 2;
        var probs = new float[rows * 3];
        for (var r = 0; r < rows; r++)
        {
            probs[(r * 3) + ClassOf(x[2 * r])] = 0.8f;
        }

        return new RunResult([new OutputTensor(Output, DataType.Fp32, [rows, 3], MemoryMarshal.AsBytes(probs.AsSpan()).ToArray())], null);
    }

    private static int ClassOf(double x0) => x0 < 0 ? 0 : x0 < 1 ? 1 : 2;

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private sealed class LoggerFactory(ILogger logger) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => logger;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }
}

/// <summary>Meters for one test, so parallel tests never see each other's instruments.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
        _meters.Add(meter);
        return meter;
    }

    public void Dispose()
    {
        foreach (var meter in _meters)
        {
            meter.Dispose();
        }
    }
}
