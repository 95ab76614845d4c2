using Microsoft.Extensions.Logging;

namespace InferenceGrpc.Core.Ensembles;

// Event ids 800-849: ensembles.
internal static partial class EnsembleLog
{
    [LoggerMessage(800, LogLevel.Information, "Ensemble '{Model}' version {Version} is ready: {Steps} steps over [{StepModels}], max batch size {MaxBatchSize}", EventName = "EnsembleReady")]
    public static partial void Ready(ILogger logger, string model, long version, int steps, string stepModels, int maxBatchSize);

    [LoggerMessage(801, LogLevel.Debug, "Ensemble '{Model}' version {Version}: {Step} failed ({Kind}): {Reason}", EventName = "EnsembleStepFailed")]
    public static partial void StepFailed(ILogger logger, string model, long version, string step, string kind, string reason);

    [LoggerMessage(802, LogLevel.Information, "Reloading ensemble '{Model}', which has unready versions, now that its step model '{StepModel}' has loaded", EventName = "EnsembleDependentReload")]
    public static partial void DependentReload(ILogger logger, string model, string stepModel);
}
