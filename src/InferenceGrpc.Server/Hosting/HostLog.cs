using Microsoft.Extensions.Logging;

namespace InferenceGrpc.Server.Hosting;

// Event ids 1-99: hosting and lifecycle.
internal static partial class HostLog
{
    [LoggerMessage(1, LogLevel.Information, "gRPC endpoint listening on {Address}", EventName = "GrpcListening")]
    public static partial void GrpcListening(ILogger logger, string address);

    [LoggerMessage(6, LogLevel.Information, "Metrics endpoint listening on {Address}", EventName = "MetricsListening")]
    public static partial void MetricsListening(ILogger logger, string address);

    [LoggerMessage(2, LogLevel.Information, "Model repository '{Repository}': {Ready} of {Total} model versions ready; server ready: {ServerReady}", EventName = "ModelsLoaded")]
    public static partial void ModelsLoaded(ILogger logger, string repository, int ready, int total, bool serverReady);

    [LoggerMessage(3, LogLevel.Error, "Loading the model repository failed; the server stays live but not ready", EventName = "RepositoryLoadFailed")]
    public static partial void RepositoryLoadFailed(ILogger logger, Exception exception);

    [LoggerMessage(4, LogLevel.Warning, "Explicit model control: model '{Model}' named by --load-model is not in the repository", EventName = "LoadModelMissing")]
    public static partial void LoadModelMissing(ILogger logger, string model);

    [LoggerMessage(7, LogLevel.Information, "Repository poll: model '{Model}' changed and is stable; reloading", EventName = "PollReload")]
    public static partial void PollReload(ILogger logger, string model);

    [LoggerMessage(8, LogLevel.Information, "Repository poll: model '{Model}' is gone from the repository; unloading", EventName = "PollUnload")]
    public static partial void PollUnload(ILogger logger, string model);

    [LoggerMessage(9, LogLevel.Error, "Repository poll failed; the models keep serving as they are", EventName = "PollFailed")]
    public static partial void PollFailed(ILogger logger, Exception exception);

    [LoggerMessage(5, LogLevel.Information, "Shutting down: readiness is NOT_SERVING", EventName = "ShuttingDown")]
    public static partial void ShuttingDown(ILogger logger);
}
