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
/// Loads ONNX model files into ONNX Runtime sessions, on CUDA or the CPU as each model's config and the server-wide
/// <see cref="OnnxRuntimeOptions"/> ask. Thread-safe; one instance serves every model.
/// </summary>
public sealed class OnnxModelBackend : IModelBackend
{
    private readonly OnnxRuntimeOptions _options;
    private readonly ILogger<OnnxModelBackend> _logger;
    private readonly ExecutionProviderSelector _selector;

    public OnnxModelBackend(OnnxRuntimeOptions options, ILogger<OnnxModelBackend> logger)
        : this(options, logger, ExecutionProviderSelector.OrtCudaAppender)
    {
    }

    internal OnnxModelBackend(OnnxRuntimeOptions options, ILogger<OnnxModelBackend> logger, CudaProviderAppender appendCuda)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _logger = logger;
        _selector = new ExecutionProviderSelector(options.ExecutionProvider, logger, appendCuda);
    }

    public string Platform => ModelConfig.OnnxPlatform;

    /// <exception cref="ModelConfigException">
    /// The file is missing or unreadable, a thread parameter is invalid, CUDA is required but unavailable, or an input
    /// or output is not a tensor of a protocol datatype.
    /// </exception>
    public IModelRunner Load(ModelVersionSource source, ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(config);

        var threading = SessionThreading.Resolve(config.Parameters, _options);
        if (!File.Exists(source.ModelPath))
        {
            throw new ModelConfigException($"model file '{source.ModelPath}' does not exist");
        }

        var session = CreateSession(source, config, threading, out var target);
        try
        {
            var graph = OnnxGraphReader.Read(session);
            OnnxRuntimeLog.SessionCreated(_logger, config.Name, source.Version, target.Device, threading.IntraOpThreads, threading.InterOpThreads);
            return new OnnxModelRunner(session, graph, target.Device, config.Name, source.Version, _logger);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private InferenceSession CreateSession(ModelVersionSource source, ModelConfig config, SessionThreading threading, out ExecutionTarget target)
    {
        var preference = _selector.Resolve(config.ExecutionKind);
        using (var options = CreateOptions(config, threading))
        {
            target = _selector.Apply(options, preference, DeviceIdFor(config), config.Name);
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
        using var cpuOptions = CreateOptions(config, threading);
        try
        {
            return new InferenceSession(source.ModelPath, cpuOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            throw LoadFailed(source, config, ex);
        }
    }

    private SessionOptions CreateOptions(ModelConfig config, SessionThreading threading)
    {
        var options = new SessionOptions
        {
            // ORT's own log lines (stderr) then name the model they are about.
            LogId = config.Name,
            GraphOptimizationLevel = _options.GraphOptimizationLevel,
        };
        if (threading.IntraOpThreads > 0)
        {
            options.IntraOpNumThreads = threading.IntraOpThreads;
        }

        if (threading.InterOpThreads > 0)
        {
            options.InterOpNumThreads = threading.InterOpThreads;
        }

        return options;
    }

    // Core makes one runner per version, so only the first GPU an instance group names is used.
    private int DeviceIdFor(ModelConfig config) =>
        config.InstanceGroups is [{ Gpus: [var first, ..] }, ..] ? first : _options.DeviceId;

    private ModelConfigException LoadFailed(ModelVersionSource source, ModelConfig config, OnnxRuntimeException ex)
    {
        OnnxRuntimeLog.SessionLoadFailed(_logger, ex, config.Name, source.Version, source.ModelPath);
        return new ModelConfigException($"ONNX Runtime could not load the model file: {OrtErrorText.FirstLine(ex.Message)}");
    }
}
