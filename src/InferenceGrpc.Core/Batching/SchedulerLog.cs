using Microsoft.Extensions.Logging;

namespace InferenceGrpc.Core.Batching;

// Event ids 1000-1099: batching.
internal static partial class SchedulerLog
{
    [LoggerMessage(1000, LogLevel.Debug, "Batch of {Rows} rows ({Requests} requests) for '{Model}' version {Version}", EventName = "BatchDispatched")]
    public static partial void BatchDispatched(ILogger logger, string model, long version, int rows, int requests);

    [LoggerMessage(1001, LogLevel.Error, "A batch of '{Model}' version {Version} failed; its {Requests} requests get INTERNAL", EventName = "BatchFailed")]
    public static partial void BatchFailed(ILogger logger, Exception exception, string model, long version, int requests);

    [LoggerMessage(1002, LogLevel.Critical, "The batcher of '{Model}' version {Version} stopped unexpectedly; the version cannot serve", EventName = "BatcherCrashed")]
    public static partial void BatcherCrashed(ILogger logger, Exception exception, string model, long version);

    [LoggerMessage(1003, LogLevel.Debug, "Batch of '{Model}' version {Version} rejected one request's input; running its {Requests} requests one by one", EventName = "BatchSplit")]
    public static partial void BatchSplit(ILogger logger, string model, long version, int requests);
}
