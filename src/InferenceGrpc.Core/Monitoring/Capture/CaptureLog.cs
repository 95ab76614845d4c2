using Microsoft.Extensions.Logging;

namespace InferenceGrpc.Core.Monitoring.Capture;

internal static partial class CaptureLog
{
    [LoggerMessage(750, LogLevel.Information, "Prediction capture of model '{Model}' version {Version}: sample rate {SampleRate}, into {Directory}", EventName = "CaptureStarted")]
    public static partial void CaptureStarted(ILogger logger, string model, long version, double sampleRate, string directory);

    [LoggerMessage(751, LogLevel.Warning, "Prediction capture of model '{Model}' version {Version} is off: {Reason}", EventName = "CaptureConfigInvalid")]
    public static partial void CaptureConfigInvalid(ILogger logger, string model, long version, string reason);

    [LoggerMessage(752, LogLevel.Warning, "Prediction capture of model '{Model}' cannot write its records; they are counted as failed until a write succeeds (with the exception)", EventName = "CaptureWriteFailed")]
    public static partial void CaptureWriteFailed(ILogger logger, string model, Exception exception);

    [LoggerMessage(753, LogLevel.Information, "Prediction capture of model '{Model}' writes again", EventName = "CaptureWriteRecovered")]
    public static partial void CaptureWriteRecovered(ILogger logger, string model);
}
