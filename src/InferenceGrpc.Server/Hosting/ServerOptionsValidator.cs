using System.Net;
using InferenceGrpc.Core.Batching;
using InferenceGrpc.Core.Models;
using Microsoft.Extensions.Options;

namespace InferenceGrpc.Server.Hosting;

/// <summary>Checks every setting at startup and reports all problems at once, naming the flag of each.</summary>
internal sealed class ServerOptionsValidator : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions o)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(o.ModelRepository))
        {
            errors.Add("--model-repository is required");
        }
        else if (!Directory.Exists(o.ModelRepository))
        {
            errors.Add($"--model-repository '{o.ModelRepository}' is not a directory (resolved to '{Path.GetFullPath(o.ModelRepository)}')");
        }

        if (!IPAddress.TryParse(o.GrpcAddress, out _))
        {
            errors.Add($"--grpc-address '{o.GrpcAddress}' is not an IP address");
        }

        if (o.GrpcPort is < 0 or > 65535)
        {
            errors.Add($"--grpc-port must be 0..65535, got {o.GrpcPort}");
        }

        if (o.MetricsPort is < 0 or > 65535)
        {
            errors.Add($"--metrics-port must be 0..65535, got {o.MetricsPort}");
        }

        if (o.LogFormat is not ("text" or "json"))
        {
            errors.Add($"--log-format must be text or json, got '{o.LogFormat}'");
        }

        if (!string.IsNullOrWhiteSpace(o.OtlpEndpoint) && !Uri.TryCreate(o.OtlpEndpoint, UriKind.Absolute, out _))
        {
            errors.Add($"--otlp-endpoint must be an absolute URI such as http://otel-collector:4317, got '{o.OtlpEndpoint}'");
        }

        if (o.AllowMetrics && o.GrpcPort != 0 && o.GrpcPort == o.MetricsPort)
        {
            errors.Add($"--grpc-port and --metrics-port must differ (cleartext HTTP/2 and HTTP/1.1 need separate ports), both are {o.GrpcPort}");
        }

        if (o.ModelControlMode is not ("none" or "explicit" or "poll"))
        {
            errors.Add($"--model-control-mode must be none, explicit or poll, got '{o.ModelControlMode}'");
        }

        if (o.RepositoryPollSecs is < 1 or > 86400)
        {
            errors.Add($"--repository-poll-secs must be 1..86400, got {o.RepositoryPollSecs}");
        }

        if (o.LoadModel.Count > 0 && !o.ExplicitModelControl)
        {
            errors.Add("--load-model needs --model-control-mode explicit (in mode none every model of the repository loads)");
        }

        if (o.ExitTimeoutSecs < 0)
        {
            errors.Add($"--exit-timeout-secs must be 0 or more, got {o.ExitTimeoutSecs}");
        }

        if (o.MaxConcurrentStreamsPerConnection is < 1 or > 100_000)
        {
            errors.Add($"--max-concurrent-streams-per-connection must be 1..100000, got {o.MaxConcurrentStreamsPerConnection}");
        }

        if (o.DrainDelaySecs < 0 || o.DrainDelaySecs > 3600)
        {
            errors.Add($"--drain-delay-secs must be 0..3600, got {o.DrainDelaySecs}");
        }

        if (o.LogVerbose < 0)
        {
            errors.Add($"--log-verbose must be 0 or more, got {o.LogVerbose}");
        }

        // Below 4 MiB a single real batch no longer fits; above 2 GiB protobuf cannot parse it anyway.
        if (o.MaxReceiveMessageBytes < 4 * 1024 * 1024)
        {
            errors.Add($"--max-receive-message-bytes must be at least 4194304, got {o.MaxReceiveMessageBytes}");
        }

        if (o.MaxSendMessageBytes < 4 * 1024 * 1024)
        {
            errors.Add($"--max-send-message-bytes must be at least 4194304, got {o.MaxSendMessageBytes}");
        }

        if (o.StreamMaxInflight is < 1 or > 65536)
        {
            errors.Add($"--stream-max-inflight must be 1..65536, got {o.StreamMaxInflight}");
        }

        if (o.MaxTensorElements < 1)
        {
            errors.Add($"--max-tensor-elements must be 1 or more, got {o.MaxTensorElements}");
        }

        if (o.MaxRequestBytes < 1)
        {
            errors.Add($"--max-request-bytes must be 1 or more, got {o.MaxRequestBytes}");
        }

        if (o.MaxInputsPerRequest is < 1 or > 65536)
        {
            errors.Add($"--max-inputs-per-request must be 1..65536, got {o.MaxInputsPerRequest}");
        }

        Security.SecurityOptionsValidation.Validate(o, errors);

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Checks the scheduling defaults.</summary>
internal sealed class SchedulerOptionsValidator : IValidateOptions<SchedulerOptions>
{
    public ValidateOptionsResult Validate(string? name, SchedulerOptions o) =>
        o.DefaultMaxQueueSize is < 1 or > 1_000_000
            ? ValidateOptionsResult.Fail($"--max-queue-size must be 1..1000000, got {o.DefaultMaxQueueSize}")
            : ValidateOptionsResult.Success;
}

/// <summary>Checks the model-loading settings.</summary>
internal sealed class ModelLoaderOptionsValidator : IValidateOptions<ModelLoaderOptions>
{
    public ValidateOptionsResult Validate(string? name, ModelLoaderOptions o)
    {
        var errors = new List<string>();
        if (o.DefaultMaxBatchSize is < 0 or > 1_000_000)
        {
            errors.Add($"--default-max-batch-size must be 0..1000000, got {o.DefaultMaxBatchSize}");
        }

        if (o.DefaultInstanceCount is < 1 or > 256)
        {
            errors.Add($"--default-instance-count must be 1..256, got {o.DefaultInstanceCount}");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
