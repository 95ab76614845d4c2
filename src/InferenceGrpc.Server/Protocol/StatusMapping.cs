using Grpc.Core;
using InferenceGrpc.Core.Inference;

namespace InferenceGrpc.Server.Protocol;

/// <summary>Core's error kinds as gRPC status codes, following Triton where it has one.</summary>
internal static class StatusMapping
{
    public static StatusCode ToStatusCode(this InferenceErrorKind kind) => kind switch
    {
        InferenceErrorKind.InvalidArgument => StatusCode.InvalidArgument,
        InferenceErrorKind.NotFound => StatusCode.NotFound,
        InferenceErrorKind.Unavailable => StatusCode.Unavailable,
        // Triton answers a full queue with UNAVAILABLE ("Exceeds maximum queue size"), which clients retry.
        InferenceErrorKind.QueueFull => StatusCode.Unavailable,
        InferenceErrorKind.DeadlineExceeded => StatusCode.DeadlineExceeded,
        InferenceErrorKind.Cancelled => StatusCode.Cancelled,
        _ => StatusCode.Internal,
    };

    public static RpcException ToRpcException(this InferenceException ex) =>
        new(new Status(ex.Kind.ToStatusCode(), ex.Message));
}
