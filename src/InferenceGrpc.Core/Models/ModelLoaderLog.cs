using Microsoft.Extensions.Logging;

namespace InferenceGrpc.Core.Models;

// Event ids 100-199: model loading.
internal static partial class ModelLoaderLog
{
    [LoggerMessage(100, LogLevel.Information, "Loading model '{Model}' version {Version} from {Path}", EventName = "ModelLoading")]
    public static partial void Loading(ILogger logger, string model, long version, string path);

    [LoggerMessage(101, LogLevel.Information, "Model '{Model}' version {Version} is ready on {Device} x{Instances} in {ElapsedMs:F0} ms (max_batch_size {MaxBatchSize}, dynamic batching {Batching})", EventName = "ModelReady")]
    public static partial void Ready(ILogger logger, string model, long version, string device, int instances, double elapsedMs, int maxBatchSize, bool batching);

    [LoggerMessage(102, LogLevel.Error, "Model '{Model}' version {Version} failed to load: {Reason}", EventName = "ModelLoadFailed")]
    public static partial void LoadFailed(ILogger logger, string model, long version, string reason);

    [LoggerMessage(103, LogLevel.Error, "Model '{Model}' cannot be served: {Reason}", EventName = "ModelConfigInvalid")]
    public static partial void ConfigInvalid(ILogger logger, string model, string reason);

    [LoggerMessage(104, LogLevel.Warning, "Warm-up of model '{Model}' version {Version} failed; it serves anyway, and its first request pays the first-run cost: {Reason}", EventName = "ModelWarmUpFailed")]
    public static partial void WarmUpFailed(ILogger logger, string model, long version, string reason);

    [LoggerMessage(106, LogLevel.Information, "Model '{Model}' unloaded: later requests get NOT_FOUND", EventName = "ModelUnloaded")]
    public static partial void Unloaded(ILogger logger, string model);

    [LoggerMessage(107, LogLevel.Information, "Model '{Model}' version {Version} retires: it finishes its queued requests, then releases its instances", EventName = "ModelVersionRetiring")]
    public static partial void Retiring(ILogger logger, string model, long version);

    [LoggerMessage(105, LogLevel.Error, "Model '{Model}' version {Version} failed to load", EventName = "ModelLoadCrashed")]
    public static partial void LoadCrashed(ILogger logger, Exception exception, string model, long version);
}
