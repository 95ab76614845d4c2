using Grpc.Health.V1;
using Grpc.HealthCheck;

namespace InferenceGrpc.Server.Health;

/// <summary>
/// The server's liveness and readiness, published both to the inference protocol (ServerLive/ServerReady) and to
/// the standard gRPC health service, whose services "liveness", "readiness" and "" (the whole server) feed
/// Kubernetes' native grpc probes.
/// </summary>
public sealed class ServerHealth
{
    public const string LivenessService = "liveness";
    public const string ReadinessService = "readiness";

    private readonly HealthServiceImpl _health;
    private volatile bool _ready;
    private volatile bool _draining;

    public ServerHealth(HealthServiceImpl health)
    {
        _health = health;
        // Live from the first moment the endpoint answers; ready only once the models are.
        _health.SetStatus(LivenessService, HealthCheckResponse.Types.ServingStatus.Serving);
        _health.SetStatus("", HealthCheckResponse.Types.ServingStatus.Serving);
        _health.SetStatus(ReadinessService, HealthCheckResponse.Types.ServingStatus.NotServing);
    }

    public bool IsLive => true;

    public bool IsReady => _ready;

    /// <summary>True from SIGTERM on: new inference calls are refused UNAVAILABLE.</summary>
    public bool IsDraining => _draining;

    public void MarkDraining()
    {
        _draining = true;
        SetReady(false);
    }

    public void SetReady(bool ready)
    {
        _ready = ready;
        _health.SetStatus(ReadinessService,
            ready ? HealthCheckResponse.Types.ServingStatus.Serving : HealthCheckResponse.Types.ServingStatus.NotServing);
    }
}
