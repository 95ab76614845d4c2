using System.Globalization;

namespace InferenceGrpc.Server.Hosting;

/// <summary>
/// Reads tritonserver-style flags (<c>--grpc-port 8001</c> or <c>--grpc-port=8001</c>) into configuration keys, so
/// a Triton user's scripts carry over. Flags win over appsettings.json and environment variables. Unknown flags
/// and malformed values are errors that name the flag.
/// </summary>
public static class CommandLineFlags
{
    private enum Kind
    {
        Text,
        Integer,
        Long,
        Boolean,
        List,
    }

    private sealed record Flag(string Name, string Key, Kind Kind, string Help);

    private static readonly Flag[] Flags =
    [
        new("--model-repository", "Server:ModelRepository", Kind.Text, "Model repository directory (default: models)."),
        new("--model-store", "Server:ModelRepository", Kind.Text, "Alias of --model-repository, as in tritonserver."),
        new("--grpc-address", "Server:GrpcAddress", Kind.Text, "Address the gRPC endpoint binds (default: 0.0.0.0)."),
        new("--grpc-port", "Server:GrpcPort", Kind.Integer, "gRPC port, cleartext HTTP/2 (default: 8001; 0 picks a free port)."),
        new("--metrics-port", "Server:MetricsPort", Kind.Integer, "Metrics port, HTTP/1.1, Prometheus at /metrics (default: 8002; 0 picks a free port)."),
        new("--allow-metrics", "Server:AllowMetrics", Kind.Boolean, "Serve Prometheus metrics on --metrics-port (default: true)."),
        new("--otlp-endpoint", "Server:OtlpEndpoint", Kind.Text, "OTLP endpoint for metrics and traces, e.g. http://otel-collector:4317 (default: none)."),
        new("--log-format", "Server:LogFormat", Kind.Text, "Console logs as text or json (default: text)."),
        new("--model-control-mode", "Server:ModelControlMode", Kind.Text, "none: load the whole repository; explicit: only --load-model and the repository RPCs; poll: apply repository changes (default: none)."),
        new("--repository-poll-secs", "Server:RepositoryPollSecs", Kind.Integer, "In poll mode, seconds between repository scans (default: 15)."),
        new("--load-model", "Server:LoadModel", Kind.List, "In explicit mode, a model to load at start; repeat it; '*' loads all."),
        new("--strict-readiness", "Server:StrictReadiness", Kind.Boolean, "Ready only when every model is ready (default: true)."),
        new("--exit-timeout-secs", "Server:ExitTimeoutSecs", Kind.Integer, "Seconds to finish in-flight work on shutdown (default: 30)."),
        new("--max-concurrent-streams-per-connection", "Server:MaxConcurrentStreamsPerConnection", Kind.Integer, "Concurrent calls one client connection may have open (default: 100)."),
        new("--allow-reflection", "Server:AllowReflection", Kind.Boolean, "Serve gRPC server reflection (default: true)."),
        new("--drain-delay-secs", "Server:DrainDelaySecs", Kind.Integer, "Seconds after SIGTERM during which new inference calls get UNAVAILABLE before the listeners close (default: 0)."),
        new("--log-verbose", "Server:LogVerbose", Kind.Integer, "0: information logs; 1 or more: debug logs (default: 0)."),
        new("--max-receive-message-bytes", "Server:MaxReceiveMessageBytes", Kind.Integer, "Largest request message in bytes (default: 67108864)."),
        new("--max-send-message-bytes", "Server:MaxSendMessageBytes", Kind.Integer, "Largest response message in bytes (default: 67108864)."),
        new("--stream-max-inflight", "Server:StreamMaxInflight", Kind.Integer, "Most requests of one ModelStreamInfer stream in the server at once (default: 128)."),
        new("--max-tensor-elements", "Server:MaxTensorElements", Kind.Long, "Most elements of one input tensor of a request (default: 67108864)."),
        new("--max-request-bytes", "Server:MaxRequestBytes", Kind.Long, "Most tensor data of one request in bytes, raw or typed (default: 67108864)."),
        new("--max-inputs-per-request", "Server:MaxInputsPerRequest", Kind.Integer, "Most inputs of one request (default: 64)."),
        new("--grpc-tls-cert", "Server:TlsCertificatePath", Kind.Text, "PEM certificate for TLS on the gRPC port, reloaded when it changes (default: none, cleartext)."),
        new("--grpc-server-cert", "Server:TlsCertificatePath", Kind.Text, "Alias of --grpc-tls-cert, as in tritonserver."),
        new("--grpc-tls-key", "Server:TlsKeyPath", Kind.Text, "PEM private key of --grpc-tls-cert."),
        new("--grpc-server-key", "Server:TlsKeyPath", Kind.Text, "Alias of --grpc-tls-key, as in tritonserver."),
        new("--grpc-use-ssl", "Server:UseTls", Kind.Boolean, "Serve gRPC over TLS; needs --grpc-server-cert and --grpc-server-key (default: false)."),
        new("--grpc-use-ssl-mutual", "Server:TlsMutual", Kind.Boolean, "Mutual TLS: require a client certificate chained to --grpc-root-cert (default: false)."),
        new("--grpc-root-cert", "Server:TlsClientCaPath", Kind.Text, "PEM CA bundle that client certificates must chain to in mutual TLS."),
        new("--api-keys-file", "Server:ApiKeysFile", Kind.Text, "File of API keys, one a line ('admin:' prefix may load/unload); inference and repository RPCs then need 'authorization: Bearer <key>' (default: none)."),
        new("--authenticate-health", "Server:AuthenticateHealth", Kind.Boolean, "With --api-keys-file, require a key on health RPCs too (default: false)."),
        new("--dynamic-batching", "Scheduler:DynamicBatchingByDefault", Kind.Boolean, "Batch concurrent requests of models whose config has no dynamic_batching block (default: true)."),
        new("--max-queue-size", "Scheduler:DefaultMaxQueueSize", Kind.Integer, "Queue bound of models whose config sets no max_queue_size (default: 1024)."),
        new("--default-instance-count", "Models:DefaultInstanceCount", Kind.Integer, "Instances of models whose config has no instance_group (default: 2)."),
        new("--default-max-batch-size", "Models:DefaultMaxBatchSize", Kind.Integer, "max_batch_size for models whose config sets none and whose graph batches (default: 4)."),
        new("--execution-provider", "OnnxRuntime:ExecutionProvider", Kind.Text, "auto (CUDA when it loads, else CPU), cuda or cpu (default: auto)."),
        new("--intra-op-threads", "OnnxRuntime:IntraOpThreads", Kind.Integer, "ONNX Runtime intra-op threads per session (default: 0 = cores / instances on the CPU, 1 on CUDA)."),
        new("--allow-spinning", "OnnxRuntime:AllowSpinning", Kind.Boolean, "Let ONNX Runtime's intra-op threads spin while idle (default: false)."),
        new("--inter-op-threads", "OnnxRuntime:InterOpThreads", Kind.Integer, "ONNX Runtime inter-op threads per session (default: 0, ONNX Runtime decides)."),
        new("--capture-directory", "Capture:Directory", Kind.Text, "Prediction capture: directory of the JSONL files, one folder per model; models opt in with capture.sample_rate (default: none, capture off)."),
        new("--capture-queue-size", "Capture:QueueSize", Kind.Integer, "Prediction capture: records waiting for the writer before more are dropped and counted (default: 1024)."),
        new("--shadow-max-inflight", "Shadow:MaxInFlight", Kind.Integer, "Shadow versions: mirrored requests queued or running at once before more are dropped and counted (default: 32)."),
        new("--allow-drift-monitoring", "Drift:Enabled", Kind.Boolean, "Monitor input and prediction drift of versions that ship a baseline.json (default: true)."),
        new("--drift-sample-rate", "Drift:SampleRate", Kind.Text, "Fraction of requests sampled for drift monitoring, 0..1, of models whose config sets no drift.sample_rate (default: 0.1)."),
    ];

    /// <summary>The result of parsing: configuration values, or the errors that stop the server.</summary>
    public sealed record Result(IReadOnlyDictionary<string, string?> Values, IReadOnlyList<string> Errors, bool HelpRequested);

    public static Result Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var errors = new List<string>();
        var lists = new Dictionary<string, int>(StringComparer.Ordinal);
        var help = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h")
            {
                help = true;
                continue;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                errors.Add($"unexpected argument '{arg}': every setting is a --flag");
                continue;
            }

            var equals = arg.IndexOf('=');
            var name = equals < 0 ? arg : arg[..equals];
            var flag = Array.Find(Flags, f => f.Name == name);
            if (flag is null)
            {
                errors.Add($"unknown flag '{name}'");
                continue;
            }

            string? value;
            if (equals >= 0)
            {
                value = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count && !(flag.Kind == Kind.Boolean && args[i + 1].StartsWith("--", StringComparison.Ordinal)))
            {
                value = args[++i];
            }
            else if (flag.Kind == Kind.Boolean)
            {
                value = "true";
            }
            else
            {
                errors.Add($"flag '{name}' needs a value");
                continue;
            }

            switch (flag.Kind)
            {
                case Kind.Integer when !int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _):
                    errors.Add($"flag '{name}' needs a whole number, got '{value}'");
                    break;
                case Kind.Long when !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _):
                    errors.Add($"flag '{name}' needs a whole number, got '{value}'");
                    break;
                case Kind.Boolean when ParseBool(value) is not { } parsed:
                    errors.Add($"flag '{name}' needs true or false, got '{value}'");
                    break;
                case Kind.Boolean:
                    values[flag.Key] = ParseBool(value)!.Value ? "true" : "false";
                    break;
                case Kind.List:
                    var index = lists.GetValueOrDefault(flag.Key);
                    values[$"{flag.Key}:{index}"] = value;
                    lists[flag.Key] = index + 1;
                    break;
                default:
                    values[flag.Key] = value;
                    break;
            }
        }

        return new Result(values, errors, help);
    }

    public static string Usage()
    {
        var width = Flags.Max(f => f.Name.Length) + 2;
        var lines = Flags.Select(f => "  " + f.Name.PadRight(width) + f.Help);
        return "Usage: InferenceGrpc.Server [flags]\n\nFlags (also configuration keys and INFERENCEGRPC_ environment variables):\n" +
               string.Join('\n', lines) + "\n";
    }

    private static bool? ParseBool(string value) => value.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" or "on" => true,
        "false" or "0" or "no" or "off" => false,
        _ => null,
    };
}
