using Microsoft.Extensions.Logging;

namespace InferenceGrpc.Core.Monitoring.Shadow;

internal static partial class ShadowLog
{
    [LoggerMessage(760, LogLevel.Information, "Model '{Model}' version {Version} mirrors {Fraction} of its traffic to version {Candidate}", EventName = "ShadowStarted")]
    public static partial void ShadowStarted(ILogger logger, string model, long version, double fraction, long candidate);

    [LoggerMessage(761, LogLevel.Warning, "Shadow traffic of model '{Model}' version {Version} is off: {Reason}", EventName = "ShadowConfigInvalid")]
    public static partial void ShadowConfigInvalid(ILogger logger, string model, long version, string reason);

    [LoggerMessage(762, LogLevel.Warning, "Model '{Model}' mirrors traffic to version {Candidate}, which is not served (its version_policy serves {Served}); every shadow request fails until it is", EventName = "ShadowCandidateNotServed")]
    public static partial void ShadowCandidateNotServed(ILogger logger, string model, long candidate, string served);

    [LoggerMessage(763, LogLevel.Debug, "Shadow request of model '{Model}' to version {Candidate} failed: {Kind}: {Reason}", EventName = "ShadowRequestFailed")]
    public static partial void ShadowRequestFailed(ILogger logger, string model, long candidate, string kind, string reason);
}
