namespace InferenceGrpc.Server.Hosting;

/// <summary>
/// The server's settings (configuration section "Server"). Each has a tritonserver-style flag; see
/// <see cref="CommandLineFlags"/>. Defaults are those of tritonserver where it has the same setting.
/// </summary>
public sealed class ServerOptions
{
    public const string Section = "Server";

    /// <summary>The model repository directory. Default: <c>models</c>, relative to the working directory.</summary>
    public string ModelRepository { get; set; } = "models";

    /// <summary>The address the gRPC endpoint binds. Default: 0.0.0.0 (every interface, as in a pod).</summary>
    public string GrpcAddress { get; set; } = "0.0.0.0";

    /// <summary>The gRPC port (cleartext HTTP/2). Default 8001; 0 picks a free port (tests).</summary>
    public int GrpcPort { get; set; } = 8001;

    /// <summary>The metrics port (HTTP/1.1, Prometheus at /metrics). Default 8002; 0 picks a free port (tests).</summary>
    public int MetricsPort { get; set; } = 8002;

    /// <summary>Serve Prometheus metrics on <see cref="MetricsPort"/>. Default true.</summary>
    public bool AllowMetrics { get; set; } = true;

    /// <summary>An OTLP endpoint (e.g. http://otel-collector:4317) for metrics and traces; empty: no OTLP, no tracing.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>Console log format: text (default) or json (one JSON object a line, for containers).</summary>
    public string LogFormat { get; set; } = "text";

    /// <summary>
    /// none: load the whole repository at start; explicit: load only <see cref="LoadModel"/>, then what the
    /// repository RPCs ask; poll: load the whole repository and apply its changes every <see cref="RepositoryPollSecs"/>.
    /// </summary>
    public string ModelControlMode { get; set; } = "none";

    /// <summary>Models to load at start in explicit mode; "*" loads all.</summary>
    public List<string> LoadModel { get; set; } = [];

    /// <summary>When true (default) the server is ready only when every model loaded is ready.</summary>
    public bool StrictReadiness { get; set; } = true;

    /// <summary>Seconds to finish in-flight work on shutdown. Default 30.</summary>
    public int ExitTimeoutSecs { get; set; } = 30;

    /// <summary>
    /// Seconds between SIGTERM and closing the listeners: readiness is NOT_SERVING and new inference calls are
    /// answered UNAVAILABLE (retry elsewhere) while in-flight ones finish and load balancers catch up. Default 0
    /// (Kubernetes' preStop sleep usually plays this part).
    /// </summary>
    public int DrainDelaySecs { get; set; }

    /// <summary>
    /// Concurrent calls (HTTP/2 streams) one client connection may have open. Default 100, Kestrel's. Past it the
    /// client's HTTP/2 stack waits for a free stream; calls it sent before learning the limit are reset, which
    /// grpc-dotnet reports as UNAVAILABLE or, racing, INTERNAL: keep it above any one client's concurrency.
    /// </summary>
    public int MaxConcurrentStreamsPerConnection { get; set; } = 100;

    /// <summary>Serve gRPC server reflection (grpcurl discovers the services with it). Default true.</summary>
    public bool AllowReflection { get; set; } = true;

    /// <summary>0: information logs; 1 or more: debug logs.</summary>
    public int LogVerbose { get; set; }

    /// <summary>
    /// The largest request message accepted, in bytes. Default 64 MiB, so a large but valid batch is judged on
    /// its shape rather than cut off by the transport.
    /// </summary>
    public int MaxReceiveMessageBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>The largest response message sent, in bytes. Default 64 MiB.</summary>
    public int MaxSendMessageBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>
    /// The most requests of one ModelStreamInfer stream in the server at once (queued or running). Past it the
    /// server stops reading the stream until answers go out. Default 128.
    /// </summary>
    public int StreamMaxInflight { get; set; } = 128;

    /// <summary>
    /// The most elements one input tensor of a request may have (its shape's product, or its typed contents).
    /// Default 64M (67108864).
    /// </summary>
    public long MaxTensorElements { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// The most tensor data one request may carry in bytes: its raw_input_contents, or its typed contents as raw.
    /// Default 64 MiB.
    /// </summary>
    public long MaxRequestBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>The most inputs one request may name. Default 64.</summary>
    public int MaxInputsPerRequest { get; set; } = 64;

    /// <summary>Seconds between repository polls in poll mode. Default 15.</summary>
    public int RepositoryPollSecs { get; set; } = 15;

    /// <summary>
    /// PEM certificate (with its chain, if any) for TLS on the gRPC port; empty (default): cleartext HTTP/2. Read
    /// again when the file changes.
    /// </summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="TlsCertificatePath"/>.</summary>
    public string? TlsKeyPath { get; set; }

    /// <summary>Require TLS (tritonserver's --grpc-use-ssl); TLS is on whenever a certificate is set.</summary>
    public bool UseTls { get; set; }

    /// <summary>Mutual TLS: require a client certificate that chains to <see cref="TlsClientCaPath"/>.</summary>
    public bool TlsMutual { get; set; }

    /// <summary>PEM CA bundle that client certificates must chain to in mutual TLS (--grpc-root-cert).</summary>
    public string? TlsClientCaPath { get; set; }

    /// <summary>
    /// File of static API keys (one a line, "admin:" before keys that may load and unload models); when set,
    /// inference and repository RPCs need "authorization: Bearer &lt;key&gt;". Read again when it changes.
    /// </summary>
    public string? ApiKeysFile { get; set; }

    /// <summary>With API keys, require them on health RPCs too (ServerLive, ServerReady, ModelReady, grpc.health.v1). Default false.</summary>
    public bool AuthenticateHealth { get; set; }

    public bool TlsEnabled => UseTls || !string.IsNullOrWhiteSpace(TlsCertificatePath);

    public bool ExplicitModelControl => string.Equals(ModelControlMode, "explicit", StringComparison.Ordinal);

    public bool PollModelControl => string.Equals(ModelControlMode, "poll", StringComparison.Ordinal);
}
