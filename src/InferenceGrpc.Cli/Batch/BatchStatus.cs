using Grpc.Core;

namespace InferenceGrpc.Cli.Batch;

/// <summary>Status names written to the errors file, and which failures are worth another try.</summary>
internal static class BatchStatus
{
    /// <summary>A row the client could not read or encode; it was never sent.</summary>
    public const string InvalidRow = "INVALID_ROW";

    /// <summary>A response the client could not read (outputs that do not match their shapes).</summary>
    public const string InvalidResponse = "INVALID_RESPONSE";

    /// <summary>The gRPC name of a status code, as the protocol spells it: INVALID_ARGUMENT, not InvalidArgument.</summary>
    public static string Name(StatusCode code) => code switch
    {
        StatusCode.OK => "OK",
        StatusCode.Cancelled => "CANCELLED",
        StatusCode.Unknown => "UNKNOWN",
        StatusCode.InvalidArgument => "INVALID_ARGUMENT",
        StatusCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        StatusCode.NotFound => "NOT_FOUND",
        StatusCode.AlreadyExists => "ALREADY_EXISTS",
        StatusCode.PermissionDenied => "PERMISSION_DENIED",
        StatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        StatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        StatusCode.Aborted => "ABORTED",
        StatusCode.OutOfRange => "OUT_OF_RANGE",
        StatusCode.Unimplemented => "UNIMPLEMENTED",
        StatusCode.Internal => "INTERNAL",
        StatusCode.Unavailable => "UNAVAILABLE",
        StatusCode.DataLoss => "DATA_LOSS",
        StatusCode.Unauthenticated => "UNAUTHENTICATED",
        _ => code.ToString(),
    };

    /// <summary>
    /// Worth another try after a pause: the server or the connection is away for now (UNAVAILABLE: restarting,
    /// draining, queue full), the call was cut (ABORTED), or a request outlived --request-timeout.
    /// </summary>
    public static bool IsTransient(StatusCode code) => code is StatusCode.Unavailable or StatusCode.Aborted or StatusCode.DeadlineExceeded;

    /// <summary>
    /// A whole stream worth reopening: a transient status, or CANCELLED when this client did not cancel (the server
    /// reset the HTTP/2 stream, as Kestrel does when a handler fails while writing).
    /// </summary>
    public static bool IsTransientStreamFailure(StatusCode code, bool cancelledHere) =>
        IsTransient(code) || (code == StatusCode.Cancelled && !cancelledHere);
}
