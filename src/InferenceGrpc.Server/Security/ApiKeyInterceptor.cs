using Grpc.Core;
using Grpc.Core.Interceptors;
using InferenceGrpc.Server.Hosting;
using Microsoft.Extensions.Options;

namespace InferenceGrpc.Server.Security;

/// <summary>
/// Authentication of the inference and repository RPCs with the static keys of <c>--api-keys-file</c>, sent as
/// <c>authorization: Bearer &lt;key&gt;</c>. A missing or unknown key is UNAUTHENTICATED; a key without the admin
/// role on RepositoryModelLoad/Unload is PERMISSION_DENIED. Health (unless <c>--authenticate-health</c>) and
/// reflection stay open. Registered first, so nothing else runs for a refused call. The key is never logged:
/// a refusal is one Debug line with the method and the reason.
/// </summary>
internal sealed partial class ApiKeyInterceptor : Interceptor
{
    private const string InferencePrefix = "/inference.GRPCInferenceService/";

    private static readonly string[] AdminMethods =
    [
        InferencePrefix + "RepositoryModelLoad",
        InferencePrefix + "RepositoryModelUnload",
    ];

    private static readonly string[] HealthMethods =
    [
        InferencePrefix + "ServerLive",
        InferencePrefix + "ServerReady",
        InferencePrefix + "ModelReady",
    ];

    private readonly ApiKeys _keys;
    private readonly bool _authenticateHealth;
    private readonly ILogger<ApiKeyInterceptor> _logger;

    public ApiKeyInterceptor(IOptions<ServerOptions> options, ILogger<ApiKeyInterceptor> logger)
    {
        _logger = logger;
        _authenticateHealth = options.Value.AuthenticateHealth;
        _keys = new ApiKeys(options.Value.ApiKeysFile, ex => KeysReloadFailed(logger, ex.Message));
    }

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Authorize(ServerCallContext context)
    {
        if (!_keys.Enabled || IsOpen(context.Method))
        {
            return;
        }

        var token = BearerToken(context.RequestHeaders.GetValue("authorization"));
        if (token is null)
        {
            Refuse(context, StatusCode.Unauthenticated, "no bearer token in the authorization metadata");
        }

        var role = _keys.Match(token);
        if (role == ApiKeyRole.None)
        {
            Refuse(context, StatusCode.Unauthenticated, "the bearer token is not a configured API key");
        }

        if (role != ApiKeyRole.Admin && Array.IndexOf(AdminMethods, context.Method) >= 0)
        {
            Refuse(context, StatusCode.PermissionDenied, "the API key lacks the admin role");
        }
    }

    private bool IsOpen(string method) =>
        method.StartsWith("/grpc.reflection.", StringComparison.Ordinal) ||
        (!_authenticateHealth && (method.StartsWith("/grpc.health.v1.Health/", StringComparison.Ordinal) || Array.IndexOf(HealthMethods, method) >= 0));

    private static string? BearerToken(string? header)
    {
        const string scheme = "Bearer ";
        if (header is null || !header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = header[scheme.Length..].Trim();
        return token.Length == 0 ? null : token;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Refuse(ServerCallContext context, StatusCode code, string reason)
    {
        CallRefused(_logger, context.Method, code, reason);
        throw new RpcException(new Status(code, code == StatusCode.PermissionDenied
            ? "permission denied: this API key may not call " + context.Method
            : "unauthenticated: send a valid API key as 'authorization: Bearer <key>'"));
    }

    [LoggerMessage(610, LogLevel.Debug, "Call to {Method} refused with {Code}: {Reason}", EventName = "CallRefused")]
    private static partial void CallRefused(ILogger logger, string method, StatusCode code, string reason);

    [LoggerMessage(611, LogLevel.Warning, "Reloading --api-keys-file failed ({Reason}); the previous keys stay in force", EventName = "ApiKeysReloadFailed")]
    private static partial void KeysReloadFailed(ILogger logger, string reason);
}
