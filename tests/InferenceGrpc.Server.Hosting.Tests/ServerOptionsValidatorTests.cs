using InferenceGrpc.Server.Hosting;
using Microsoft.Extensions.Options;

namespace InferenceGrpc.Server.Hosting.Tests;

public sealed class ServerOptionsValidatorTests
{
    private const int FourMiB = 4 * 1024 * 1024;

    private static readonly string MissingDirectory = Path.Combine(AppContext.BaseDirectory, "no-such-repository");

    /// <summary>Defaults, with a repository that exists.</summary>
    private static ServerOptions Valid() => new() { ModelRepository = AppContext.BaseDirectory };

    private static ValidateOptionsResult Validate(ServerOptions options) => new ServerOptionsValidator().Validate(null, options);

    private static string SingleFailure(ServerOptions options)
    {
        var result = Validate(options);
        Assert.True(result.Failed);
        return Assert.Single(result.Failures!);
    }

    [Fact]
    public void Validate_DefaultsWithExistingRepository_Succeeds()
    {
        Assert.True(Validate(Valid()).Succeeded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Validate_EmptyModelRepository_FailsNamingFlag(string repository)
    {
        var options = Valid();
        options.ModelRepository = repository;

        Assert.Contains("--model-repository", SingleFailure(options));
    }

    [Fact]
    public void Validate_MissingModelRepository_FailsNamingFlagAndPath()
    {
        var options = Valid();
        options.ModelRepository = MissingDirectory;

        var failure = SingleFailure(options);

        Assert.Contains("--model-repository", failure);
        Assert.Contains(MissingDirectory, failure);
    }

    [Fact]
    public void Validate_ModelRepositoryIsAFile_Fails()
    {
        var options = Valid();
        options.ModelRepository = typeof(ServerOptions).Assembly.Location;

        Assert.Contains("--model-repository", SingleFailure(options));
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("127.0.0.1")]
    [InlineData("::")]
    [InlineData("::1")]
    public void Validate_IpGrpcAddress_Succeeds(string address)
    {
        var options = Valid();
        options.GrpcAddress = address;

        Assert.True(Validate(options).Succeeded);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("")]
    [InlineData("300.1.1.1")]
    public void Validate_NonIpGrpcAddress_FailsNamingFlag(string address)
    {
        var options = Valid();
        options.GrpcAddress = address;

        Assert.Contains("--grpc-address", SingleFailure(options));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65535)]
    public void Validate_GrpcPortInRange_Succeeds(int port)
    {
        var options = Valid();
        options.GrpcPort = port;

        Assert.True(Validate(options).Succeeded);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(65536)]
    [InlineData(70000)]
    public void Validate_GrpcPortOutOfRange_FailsNamingFlag(int port)
    {
        var options = Valid();
        options.GrpcPort = port;

        Assert.Contains("--grpc-port", SingleFailure(options));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(65536)]
    public void Validate_MetricsPortOutOfRange_FailsNamingFlag(int port)
    {
        var options = Valid();
        options.MetricsPort = port;

        Assert.Contains("--metrics-port", SingleFailure(options));
    }

    [Fact]
    public void Validate_SameGrpcAndMetricsPort_FailsNamingBothFlags()
    {
        var options = Valid();
        options.GrpcPort = 9000;
        options.MetricsPort = 9000;

        var failure = SingleFailure(options);

        Assert.Contains("--grpc-port", failure);
        Assert.Contains("--metrics-port", failure);
    }

    [Fact]
    public void Validate_BothPortsZero_Succeeds()
    {
        var options = Valid();
        options.GrpcPort = 0;
        options.MetricsPort = 0;

        Assert.True(Validate(options).Succeeded);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("explicit")]
    public void Validate_KnownModelControlMode_Succeeds(string mode)
    {
        var options = Valid();
        options.ModelControlMode = mode;

        Assert.True(Validate(options).Succeeded);
    }

    [Theory]
    [InlineData("banana")]
    [InlineData("EXPLICIT")]
    [InlineData("")]
    public void Validate_UnknownModelControlMode_FailsNamingFlag(string mode)
    {
        var options = Valid();
        options.ModelControlMode = mode;

        Assert.Contains("--model-control-mode", SingleFailure(options));
    }

    [Fact]
    public void Validate_LoadModelInModeNone_FailsNamingBothFlags()
    {
        var options = Valid();
        options.LoadModel = ["text_direction"];

        var failure = SingleFailure(options);

        Assert.Contains("--load-model", failure);
        Assert.Contains("--model-control-mode", failure);
    }

    [Fact]
    public void Validate_LoadModelInModeExplicit_Succeeds()
    {
        var options = Valid();
        options.ModelControlMode = "explicit";
        options.LoadModel = ["text_direction", "*"];

        Assert.True(Validate(options).Succeeded);
    }

    [Fact]
    public void Validate_NegativeExitTimeout_FailsNamingFlag()
    {
        var options = Valid();
        options.ExitTimeoutSecs = -1;

        Assert.Contains("--exit-timeout-secs", SingleFailure(options));
    }

    [Fact]
    public void Validate_ZeroExitTimeout_Succeeds()
    {
        var options = Valid();
        options.ExitTimeoutSecs = 0;

        Assert.True(Validate(options).Succeeded);
    }

    [Fact]
    public void Validate_NegativeLogVerbose_FailsNamingFlag()
    {
        var options = Valid();
        options.LogVerbose = -1;

        Assert.Contains("--log-verbose", SingleFailure(options));
    }

    [Theory]
    [InlineData(FourMiB - 1)]
    [InlineData(0)]
    [InlineData(-1)]
    public void Validate_MaxReceiveMessageBytesBelowFourMiB_FailsNamingFlag(int bytes)
    {
        var options = Valid();
        options.MaxReceiveMessageBytes = bytes;

        Assert.Contains("--max-receive-message-bytes", SingleFailure(options));
    }

    [Theory]
    [InlineData(FourMiB - 1)]
    [InlineData(0)]
    public void Validate_MaxSendMessageBytesBelowFourMiB_FailsNamingFlag(int bytes)
    {
        var options = Valid();
        options.MaxSendMessageBytes = bytes;

        Assert.Contains("--max-send-message-bytes", SingleFailure(options));
    }

    [Fact]
    public void Validate_MessageLimitsAtFourMiB_Succeeds()
    {
        var options = Valid();
        options.MaxReceiveMessageBytes = FourMiB;
        options.MaxSendMessageBytes = FourMiB;

        Assert.True(Validate(options).Succeeded);
    }

    [Fact]
    public void Validate_EveryRuleBroken_EveryFailureReportedTogether()
    {
        var options = new ServerOptions
        {
            ModelRepository = MissingDirectory,
            GrpcAddress = "localhost",
            GrpcPort = 70000,
            MetricsPort = -5,
            ModelControlMode = "sometimes",
            LoadModel = ["a"],
            ExitTimeoutSecs = -1,
            LogVerbose = -1,
            MaxReceiveMessageBytes = 1,
            MaxSendMessageBytes = 1,
        };

        var result = Validate(options);

        Assert.True(result.Failed);
        string[] flags =
        [
            "--model-repository", "--grpc-address", "--grpc-port", "--metrics-port", "--model-control-mode", "--load-model",
            "--exit-timeout-secs", "--log-verbose", "--max-receive-message-bytes", "--max-send-message-bytes",
        ];
        Assert.Equal(flags.Length, result.Failures!.Count());
        Assert.All(flags, flag => Assert.Contains(result.Failures!, f => f.StartsWith(flag, StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(nameof(ServerOptions.DrainDelaySecs), -1, "--drain-delay-secs")]
    [InlineData(nameof(ServerOptions.DrainDelaySecs), 3601, "--drain-delay-secs")]
    [InlineData(nameof(ServerOptions.RepositoryPollSecs), 0, "--repository-poll-secs")]
    [InlineData(nameof(ServerOptions.StreamMaxInflight), 0, "--stream-max-inflight")]
    [InlineData(nameof(ServerOptions.MaxConcurrentStreamsPerConnection), 0, "--max-concurrent-streams-per-connection")]
    public void Validate_IntegerSettingOutOfRange_FailsNamingFlag(string property, int value, string flag)
    {
        var options = Valid();
        typeof(ServerOptions).GetProperty(property)!.SetValue(options, value);

        Assert.Contains(flag, SingleFailure(options));
    }

    [Theory]
    [InlineData("xml", "--log-format")]
    [InlineData("not a uri", "--otlp-endpoint")]
    public void Validate_BadTextSetting_FailsNamingFlag(string value, string flag)
    {
        var options = Valid();
        if (flag == "--log-format")
        {
            options.LogFormat = value;
        }
        else
        {
            options.OtlpEndpoint = value;
        }

        Assert.Contains(flag, SingleFailure(options));
    }
}
