using Grpc.Core;
using Grpc.Core.Interceptors;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Server.Protocol;

namespace InferenceGrpc.Server.Interceptors;

/// <summary>
/// The one place where Core's errors become status codes. Anything else thrown by a handler is a bug: it is
/// logged in full and answered INTERNAL without its details.
/// </summary>
internal sealed class ErrorMappingInterceptor(ILogger<ErrorMappingInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context, (request as Inference.ModelInferRequest)?.Id);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    private RpcException Map(Exception ex, ServerCallContext context, string? requestId = null)
    {
        switch (ex)
        {
            case InferenceException inference:
                if (inference.Kind == InferenceErrorKind.Internal)
                {
                    InterceptorLog.InternalError(logger, context.Method, requestId ?? "", inference);
                }
                else
                {
                    InterceptorLog.RequestFailed(logger, context.Method, requestId ?? "", inference.Kind, inference.Message);
                }

                return inference.ToRpcException();
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled"));
            default:
                InterceptorLog.UnhandledException(logger, context.Method, ex);
                return new RpcException(new Status(StatusCode.Internal, "internal server error"));
        }
    }
}

// Event ids 300-399: request errors.
internal static partial class InterceptorLog
{
    // Debug: a client's bad request is the client's business; one line at most, never the payload.
    // The reason names inputs, shapes and datatypes, never tensor values.
    [LoggerMessage(300, LogLevel.Debug, "{Method} request '{RequestId}' failed: {Kind}: {Reason}", EventName = "RequestFailed")]
    public static partial void RequestFailed(ILogger logger, string method, string requestId, InferenceErrorKind kind, string reason);

    [LoggerMessage(301, LogLevel.Error, "{Method} request '{RequestId}' failed inside the server", EventName = "InternalError")]
    public static partial void InternalError(ILogger logger, string method, string requestId, Exception exception);

    [LoggerMessage(302, LogLevel.Error, "{Method} threw an unexpected exception", EventName = "UnhandledException")]
    public static partial void UnhandledException(ILogger logger, string method, Exception exception);
}
