using System.Collections.Concurrent;
using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Models;
using InferenceGrpc.OnnxRuntime.Diagnostics;
using InferenceGrpc.OnnxRuntime.Execution;
using InferenceGrpc.OnnxRuntime.Metadata;
using InferenceGrpc.OnnxRuntime.Providers;
using InferenceGrpc.OnnxRuntime.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace InferenceGrpc.OnnxRuntime;

/// <summary>
/// Loads ONNX model files into ONNX Runtime sessions, one per instance, on CUDA or the CPU as each model's config and
/// the server-wide <see cref="OnnxRuntimeOptions"/> ask. Thread-safe; one instance serves every model.
/// </summary>
public sealed class OnnxModelBackend : IModelBackend
{
    private readonly OnnxRuntimeOptions _options;
    private readonly ILogger<OnnxModelBackend> _logger;
    private readonly ExecutionProviderSelector _selector;
    private readonly int _processorCount;

    // Loads so far per (model, version), for callers that do not say which instance they load.
    private readonly ConcurrentDictionary<(string Model, long Version), int> _loads = new();

    public OnnxModelBackend(OnnxRuntimeOptions options, ILogger<OnnxModelBackend> logger)
        : this(options, logger, ExecutionProviderSelector.OrtCudaAppender, Environment.ProcessorCount)
    {
    }

    /// <param name="processorCount">The cores CPU instances share (a seam for tests; the real one honours cgroup limits).</param>
    internal OnnxModelBackend(OnnxRuntimeOptions options, ILogger<OnnxModelBackend> logger, CudaProviderAppender appendCuda, int processorCount)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(processorCount, 1);
        _options = options;
        _logger = logger;
        _processorCount = processorCount;
        _selector = new ExecutionProviderSelector(options.ExecutionProvider, logger, appendCuda);
    }

    public string Platform => ModelConfig.OnnxPlatform;

    public string Backend => ModelConfig.OnnxBackend;

    /// <summary>
    /// Loads the next instance of this version. Core calls this <see cref="ModelConfig.InstanceCount"/> times in a row,
    /// and the calls are numbered per version modulo that count; any run of N consecutive loads gets instances
    /// 0..N-1 once each, so the instances' GPUs are the intended ones even after a failed or repeated load.
    /// </summary>
    /// <inheritdoc cref="Load(ModelVersionSource, ModelConfig, int)"/>
    public IModelRunner Load(ModelVersionSource source, ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(config);
        var loads = _loads.AddOrUpdate((config.Name, source.Version), 1, static (_, n) => n == int.MaxValue ? 1 : n + 1);
        return Load(source, config, loads - 1);
    }

    /// <summary>
    /// Loads instance <paramref name="instance"/> (0-based, taken modulo <see cref="ModelConfig.InstanceCount"/>) of a
    /// version: its own session, on the GPU its instance group gives it round-robin (<see cref="InstancePlacement"/>),
    /// with thread counts for its share of the machine (<see cref="SessionThreading.ForInstance"/>).
    /// </summary>
    /// <exception cref="ModelConfigException">
    /// The file is missing or unreadable, a thread parameter is invalid, CUDA is required but unavailable, or an input
    /// or output is not a tensor of a protocol datatype.
    /// </exception>
    public IModelRunner Load(ModelVersionSource source, ModelConfig config, int instance)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfNegative(instance);

        var configured = SessionThreading.Resolve(config.Parameters, _options);
        if (!File.Exists(source.ModelPath))
        {
            throw new ModelConfigException($"model file '{source.ModelPath}' does not exist");
        }

        var instanceCount = Math.Max(1, config.InstanceCount);
        instance %= instanceCount;
        var deviceId = InstancePlacement.DeviceId(config.InstanceGroups, instance, _options.DeviceId);
        var session = CreateSession(source, config, configured, instanceCount, deviceId, out var target, out var threading);
        try
        {
            var graph = OnnxGraphReader.Read(session);
            OnnxRuntimeLog.SessionCreated(_logger, config.Name, source.Version, instance, instanceCount, target.Device,
                threading.IntraOpThreads, threading.IntraOpChoice, threading.InterOpThreads, _processorCount);
            return new OnnxModelRunner(session, graph, target.Device, config.Name, source.Version, _logger, target.Binding);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private InferenceSession CreateSession(
        ModelVersionSource source, ModelConfig config, SessionThreading configured, int instanceCount, int deviceId,
        out ExecutionTarget target, out SessionThreading threading)
    {
        var preference = _selector.Resolve(config.ExecutionKind);
        using (var options = CreateOptions(config))
        {
            target = _selector.Apply(options, preference, deviceId, config.Name);

            // Threads depend on where the session runs, known only now that the provider is in.
            threading = configured.ForInstance(target.IsCuda, instanceCount, _processorCount);
            SetThreads(options, threading);
            try
            {
                return new InferenceSession(source.ModelPath, options);
            }
            catch (OnnxRuntimeException ex) when (target.IsCuda && preference == ExecutionProviderPreference.Auto)
            {
                // The provider library loaded, yet the session could not start on the device (driver too old, no
                // device, out of memory). AUTO means "the GPU if it works": try the CPU before calling the model broken.
                OnnxRuntimeLog.CudaSessionFallback(_logger, config.Name, source.Version, target.Device, OrtErrorText.FirstLine(ex.Message));
            }
            catch (OnnxRuntimeException ex)
            {
                throw LoadFailed(source, config, ex);
            }
        }

        target = ExecutionTarget.Cpu;
        threading = configured.ForInstance(onCuda: false, instanceCount, _processorCount);
        using var cpuOptions = CreateOptions(config);
        SetThreads(cpuOptions, threading);
        try
        {
            return new InferenceSession(source.ModelPath, cpuOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            throw LoadFailed(source, config, ex);
        }
    }

    private SessionOptions CreateOptions(ModelConfig config)
    {
        var options = new SessionOptions
        {
            // ORT's own log lines (stderr) then name the model they are about.
            LogId = config.Name,
            GraphOptimizationLevel = _options.GraphOptimizationLevel,
        };

        // ORT's intra-op threads busy-wait between operators by default. In a server they share the cores with
        // the gRPC stack and the other instances, and the spinning steals the CPU the next request needs.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", _options.AllowSpinning ? "1" : "0");
        return options;
    }

    private static void SetThreads(SessionOptions options, SessionThreading threading)
    {
        if (threading.IntraOpThreads > 0)
        {
            options.IntraOpNumThreads = threading.IntraOpThreads;
        }

        if (threading.InterOpThreads > 0)
        {
            options.InterOpNumThreads = threading.InterOpThreads;
        }
    }

    private ModelConfigException LoadFailed(ModelVersionSource source, ModelConfig config, OnnxRuntimeException ex)
    {
        OnnxRuntimeLog.SessionLoadFailed(_logger, ex, config.Name, source.Version, source.ModelPath);
        return new ModelConfigException($"ONNX Runtime could not load the model file: {OrtErrorText.FirstLine(ex.Message)}");
    }
}
