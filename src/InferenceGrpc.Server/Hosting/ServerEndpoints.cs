using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace InferenceGrpc.Server.Hosting;

/// <summary>
/// The listen options of the two endpoints, kept so the bound addresses (with the real ports when 0 was asked
/// for) can be read after start.
/// </summary>
public sealed class ServerEndpoints
{
    internal ListenOptions? Grpc { get; set; }

    internal ListenOptions? Metrics { get; set; }

    /// <summary>True when the gRPC listener serves TLS: its address is https://.</summary>
    public bool GrpcUsesTls { get; init; }

    /// <summary>"http://127.0.0.1:8001", or null before start.</summary>
    public string? GrpcAddress => Format(Grpc, GrpcUsesTls ? "https" : "http");

    /// <summary>"http://127.0.0.1:8002", or null when metrics are off.</summary>
    public string? MetricsAddress => Format(Metrics, "http");

    private static string? Format(ListenOptions? options, string scheme) =>
        options?.IPEndPoint is { Port: > 0 } endpoint ? $"{scheme}://{endpoint}" : null;
}
