using System.Buffers;
using System.Diagnostics;
using InferenceGrpc.LoadGen.Measurement;
using InferenceGrpc.LoadGen.Payload;
using InferenceGrpc.LoadGen.Results;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace InferenceGrpc.LoadGen.InProcess;

/// <summary>
/// The compute ceiling: one caller running ONNX Runtime in this process, back to back, with inputs bound once as
/// OrtValues over pinned memory (no copies, no transport, no scheduler). Session options as the server's
/// (all graph optimisations; intra-op threads as given, 0 = ONNX Runtime's default).
/// </summary>
internal sealed class InProcessBenchmark : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();

    public InProcessBenchmark(string modelFile, int intraOpThreads, string executionProvider)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
        };
        if (intraOpThreads > 0)
        {
            options.IntraOpNumThreads = intraOpThreads;
        }

        if (executionProvider == "cuda")
        {
            options.AppendExecutionProvider_CUDA(0);
        }

        _session = new InferenceSession(modelFile, options);
        Inputs = _session.InputMetadata
            .Select(m => new TensorDescriptor(m.Key, ToDatatype(m.Value.ElementDataType), m.Value.Dimensions.Select(d => (long)d).ToArray()))
            .ToArray();
        OutputNames = [.. _session.OutputNames];
    }

    public IReadOnlyList<TensorDescriptor> Inputs { get; }

    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>Runs for <paramref name="warmup"/>, then measures every run for <paramref name="duration"/>.</summary>
    public LevelResult Measure(IReadOnlyList<GeneratedInput> inputs, int batch, TimeSpan warmup, TimeSpan duration)
    {
        var pins = new MemoryHandle[inputs.Count];
        var values = new OrtValue[inputs.Count];
        try
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                values[i] = Bind(inputs[i], ref pins[i]);
            }

            var names = inputs.Select(i => i.Name).ToArray();
            var outputs = OutputNames.ToArray();
            RunFor(names, values, outputs, warmup, minimumRuns: 2, latencies: null);

            var memory = ProcessMemory.Capture();
            var latencies = new List<double>(4096);
            var elapsed = RunFor(names, values, outputs, duration, minimumRuns: 5, latencies);
            var seconds = elapsed.TotalSeconds;
            return new LevelResult
            {
                Concurrency = 1,
                BatchSize = batch,
                Requests = latencies.Count,
                Rows = (long)latencies.Count * batch,
                ElapsedSeconds = Math.Round(seconds, 3),
                RequestsPerSecond = latencies.Count / seconds,
                RowsPerSecond = (double)latencies.Count * batch / seconds,
                LatencyMs = Percentiles.Summarize([.. latencies]),
                Memory = ProcessMemory.Capture().Since(memory, latencies.Count),
            };
        }
        finally
        {
            // The OrtValue first: it points into the pinned array.
            for (var i = 0; i < values.Length; i++)
            {
                values[i]?.Dispose();
                pins[i].Dispose();
            }
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }

    private TimeSpan RunFor(string[] names, OrtValue[] values, string[] outputs, TimeSpan span, int minimumRuns, List<double>? latencies)
    {
        var started = Stopwatch.GetTimestamp();
        var runs = 0;
        while (runs < minimumRuns || Stopwatch.GetElapsedTime(started) < span)
        {
            var start = Stopwatch.GetTimestamp();
            using (var results = _session.Run(_runOptions, names, values, outputs))
            {
            }

            latencies?.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            runs++;
        }

        return Stopwatch.GetElapsedTime(started);
    }

    private static unsafe OrtValue Bind(GeneratedInput input, ref MemoryHandle pin)
    {
        if (input.Datatype == "BYTES")
        {
            throw new NotSupportedException($"input '{input.Name}': string inputs are not supported in-process");
        }

        pin = input.Data.AsMemory().Pin();
        return OrtValue.CreateTensorValueWithData(
            OrtMemoryInfo.DefaultInstance, ToElementType(input.Datatype), input.Shape, (IntPtr)pin.Pointer, input.Data.Length);
    }

    private static string ToDatatype(TensorElementType type) => type switch
    {
        TensorElementType.Float => "FP32",
        TensorElementType.Double => "FP64",
        TensorElementType.Float16 => "FP16",
        TensorElementType.BFloat16 => "BF16",
        TensorElementType.Int8 => "INT8",
        TensorElementType.Int16 => "INT16",
        TensorElementType.Int32 => "INT32",
        TensorElementType.Int64 => "INT64",
        TensorElementType.UInt8 => "UINT8",
        TensorElementType.UInt16 => "UINT16",
        TensorElementType.UInt32 => "UINT32",
        TensorElementType.UInt64 => "UINT64",
        TensorElementType.Bool => "BOOL",
        TensorElementType.String => "BYTES",
        _ => throw new NotSupportedException($"element type {type} has no protocol datatype"),
    };

    private static TensorElementType ToElementType(string datatype) => datatype switch
    {
        "FP32" => TensorElementType.Float,
        "FP64" => TensorElementType.Double,
        "FP16" => TensorElementType.Float16,
        "BF16" => TensorElementType.BFloat16,
        "INT8" => TensorElementType.Int8,
        "INT16" => TensorElementType.Int16,
        "INT32" => TensorElementType.Int32,
        "INT64" => TensorElementType.Int64,
        "UINT8" => TensorElementType.UInt8,
        "UINT16" => TensorElementType.UInt16,
        "UINT32" => TensorElementType.UInt32,
        "UINT64" => TensorElementType.UInt64,
        "BOOL" => TensorElementType.Bool,
        _ => throw new NotSupportedException($"datatype {datatype}"),
    };
}
