using InferenceGrpc.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace InferenceGrpc.Server.Hosting.Tests;

public sealed class CommandLineFlagsTests
{
    private static CommandLineFlags.Result Parse(params string[] args) => CommandLineFlags.Parse(args);

    [Fact]
    public void Parse_NoArguments_NoValuesNoErrors()
    {
        var result = Parse();

        Assert.Empty(result.Values);
        Assert.Empty(result.Errors);
        Assert.False(result.HelpRequested);
    }

    [Fact]
    public void Parse_FlagThenValue_SetsConfigurationKey()
    {
        var result = Parse("--grpc-port", "9001");

        Assert.Empty(result.Errors);
        Assert.Equal("9001", result.Values["Server:GrpcPort"]);
    }

    [Fact]
    public void Parse_FlagEqualsValue_SetsConfigurationKey()
    {
        var result = Parse("--grpc-port=9001");

        Assert.Empty(result.Errors);
        Assert.Equal("9001", result.Values["Server:GrpcPort"]);
    }

    [Fact]
    public void Parse_ValueContainingEquals_KeepsEverythingAfterTheFirstEquals()
    {
        var result = Parse("--model-repository=/data/a=b");

        Assert.Empty(result.Errors);
        Assert.Equal("/data/a=b", result.Values["Server:ModelRepository"]);
    }

    [Theory]
    [InlineData("--model-repository", "/models", "Server:ModelRepository")]
    [InlineData("--model-store", "/models", "Server:ModelRepository")]
    [InlineData("--grpc-address", "127.0.0.1", "Server:GrpcAddress")]
    [InlineData("--grpc-port", "0", "Server:GrpcPort")]
    [InlineData("--metrics-port", "9002", "Server:MetricsPort")]
    [InlineData("--model-control-mode", "explicit", "Server:ModelControlMode")]
    [InlineData("--exit-timeout-secs", "5", "Server:ExitTimeoutSecs")]
    [InlineData("--log-verbose", "1", "Server:LogVerbose")]
    [InlineData("--max-receive-message-bytes", "8388608", "Server:MaxReceiveMessageBytes")]
    [InlineData("--max-send-message-bytes", "8388608", "Server:MaxSendMessageBytes")]
    [InlineData("--default-max-batch-size", "8", "Models:DefaultMaxBatchSize")]
    [InlineData("--execution-provider", "cpu", "OnnxRuntime:ExecutionProvider")]
    [InlineData("--intra-op-threads", "2", "OnnxRuntime:IntraOpThreads")]
    [InlineData("--inter-op-threads", "1", "OnnxRuntime:InterOpThreads")]
    [InlineData("--allow-spinning", "true", "OnnxRuntime:AllowSpinning")]
    [InlineData("--allow-metrics", "false", "Server:AllowMetrics")]
    [InlineData("--allow-reflection", "false", "Server:AllowReflection")]
    [InlineData("--otlp-endpoint", "http://collector:4317", "Server:OtlpEndpoint")]
    [InlineData("--log-format", "json", "Server:LogFormat")]
    [InlineData("--repository-poll-secs", "5", "Server:RepositoryPollSecs")]
    [InlineData("--drain-delay-secs", "3", "Server:DrainDelaySecs")]
    [InlineData("--stream-max-inflight", "16", "Server:StreamMaxInflight")]
    [InlineData("--max-concurrent-streams-per-connection", "50", "Server:MaxConcurrentStreamsPerConnection")]
    [InlineData("--dynamic-batching", "false", "Scheduler:DynamicBatchingByDefault")]
    [InlineData("--max-queue-size", "64", "Scheduler:DefaultMaxQueueSize")]
    [InlineData("--default-instance-count", "1", "Models:DefaultInstanceCount")]
    [InlineData("--capture-directory", "/var/captures", "Capture:Directory")]
    [InlineData("--capture-queue-size", "256", "Capture:QueueSize")]
    [InlineData("--shadow-max-inflight", "8", "Shadow:MaxInFlight")]
    [InlineData("--allow-drift-monitoring", "false", "Drift:Enabled")]
    [InlineData("--drift-sample-rate", "0.5", "Drift:SampleRate")]
    public void Parse_KnownFlag_MapsToItsConfigurationKey(string flag, string value, string key)
    {
        var result = Parse(flag, value);

        Assert.Empty(result.Errors);
        Assert.Equal(value, result.Values[key]);
    }

    [Fact]
    public void Parse_RepeatedScalarFlag_LastValueWins()
    {
        var result = Parse("--grpc-port", "1", "--grpc-port=2");

        Assert.Empty(result.Errors);
        Assert.Equal("2", result.Values["Server:GrpcPort"]);
    }

    [Fact]
    public void Parse_RepeatedLoadModel_IndexedKeysInOrder()
    {
        var result = Parse("--load-model", "a", "--load-model=b", "--load-model", "c");

        Assert.Empty(result.Errors);
        Assert.Equal("a", result.Values["Server:LoadModel:0"]);
        Assert.Equal("b", result.Values["Server:LoadModel:1"]);
        Assert.Equal("c", result.Values["Server:LoadModel:2"]);
        Assert.False(result.Values.ContainsKey("Server:LoadModel"));
    }

    [Fact]
    public void Parse_BooleanFlagWithoutValueAtEnd_True()
    {
        var result = Parse("--strict-readiness");

        Assert.Empty(result.Errors);
        Assert.Equal("true", result.Values["Server:StrictReadiness"]);
    }

    [Fact]
    public void Parse_BooleanFlagWithoutValueBeforeAnotherFlag_TrueAndNextFlagParsed()
    {
        var result = Parse("--strict-readiness", "--grpc-port", "7");

        Assert.Empty(result.Errors);
        Assert.Equal("true", result.Values["Server:StrictReadiness"]);
        Assert.Equal("7", result.Values["Server:GrpcPort"]);
    }

    [Theory]
    [InlineData("true", "true")]
    [InlineData("1", "true")]
    [InlineData("yes", "true")]
    [InlineData("on", "true")]
    [InlineData("TRUE", "true")]
    [InlineData("false", "false")]
    [InlineData("0", "false")]
    [InlineData("no", "false")]
    [InlineData("off", "false")]
    [InlineData("False", "false")]
    public void Parse_BooleanFlagThenValue_NormalisedValue(string value, string expected)
    {
        var result = Parse("--strict-readiness", value);

        Assert.Empty(result.Errors);
        Assert.Equal(expected, result.Values["Server:StrictReadiness"]);
    }

    [Theory]
    [InlineData("true", "true")]
    [InlineData("false", "false")]
    [InlineData("off", "false")]
    public void Parse_BooleanFlagEqualsValue_NormalisedValue(string value, string expected)
    {
        var result = Parse("--strict-readiness=" + value);

        Assert.Empty(result.Errors);
        Assert.Equal(expected, result.Values["Server:StrictReadiness"]);
    }

    [Theory]
    [InlineData("--strict-readiness=maybe")]
    [InlineData("--strict-readiness=")]
    public void Parse_BooleanFlagInvalidValue_ErrorNamesFlagAndValueNotSet(string arg)
    {
        var result = Parse(arg);

        var error = Assert.Single(result.Errors);
        Assert.Contains("--strict-readiness", error);
        Assert.False(result.Values.ContainsKey("Server:StrictReadiness"));
    }

    [Fact]
    public void Parse_UnknownFlag_ErrorNamesFlag()
    {
        var result = Parse("--bogus");

        var error = Assert.Single(result.Errors);
        Assert.Contains("--bogus", error);
        Assert.Empty(result.Values);
    }

    [Fact]
    public void Parse_UnknownFlagWithEqualsValue_ErrorNamesFlagOnly()
    {
        var result = Parse("--bogus=secret-value");

        var error = Assert.Single(result.Errors);
        Assert.Contains("'--bogus'", error);
        Assert.DoesNotContain("secret-value", error);
    }

    [Fact]
    public void Parse_UnknownFlagAmongValidOnes_ValidOnesStillParsed()
    {
        var result = Parse("--grpc-port", "1", "--bogus", "--metrics-port", "2");

        Assert.Single(result.Errors);
        Assert.Equal("1", result.Values["Server:GrpcPort"]);
        Assert.Equal("2", result.Values["Server:MetricsPort"]);
    }

    [Theory]
    [InlineData("--grpc-port")]
    [InlineData("--model-repository")]
    [InlineData("--load-model")]
    public void Parse_FlagWithoutValueAtEnd_ErrorNamesFlag(string flag)
    {
        var result = Parse(flag);

        var error = Assert.Single(result.Errors);
        Assert.Contains(flag, error);
        Assert.Empty(result.Values);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("0x10")]
    [InlineData("99999999999")]
    [InlineData("")]
    public void Parse_IntegerFlagNotAWholeNumber_ErrorNamesFlagAndValueNotSet(string value)
    {
        var result = Parse("--grpc-port=" + value);

        var error = Assert.Single(result.Errors);
        Assert.Contains("--grpc-port", error);
        Assert.False(result.Values.ContainsKey("Server:GrpcPort"));
    }

    [Fact]
    public void Parse_IntegerFlagNonNumericSeparateValue_ErrorNamesValue()
    {
        var result = Parse("--grpc-port", "abc");

        var error = Assert.Single(result.Errors);
        Assert.Contains("--grpc-port", error);
        Assert.Contains("abc", error);
    }

    [Fact]
    public void Parse_NegativeInteger_AcceptedForTheValidatorToJudge()
    {
        var result = Parse("--grpc-port", "-1");

        Assert.Empty(result.Errors);
        Assert.Equal("-1", result.Values["Server:GrpcPort"]);
    }

    [Fact]
    public void Parse_PositionalArgument_ErrorNamesArgument()
    {
        var result = Parse("models");

        var error = Assert.Single(result.Errors);
        Assert.Contains("'models'", error);
    }

    [Fact]
    public void Parse_SingleDashFlag_TreatedAsPositionalError()
    {
        var result = Parse("-p", "8001");

        Assert.Equal(2, result.Errors.Count);
        Assert.Contains(result.Errors, e => e.Contains("'-p'", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_SeveralProblems_EveryErrorReported()
    {
        var result = Parse("--bogus", "--grpc-port=x", "stray", "--metrics-port");

        Assert.Equal(4, result.Errors.Count);
        Assert.Contains(result.Errors, e => e.Contains("--bogus", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("--grpc-port", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("stray", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("--metrics-port", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void Parse_Help_HelpRequestedWithoutErrors(string arg)
    {
        var result = Parse(arg);

        Assert.True(result.HelpRequested);
        Assert.Empty(result.Errors);
    }

    [Fact]
    public void Parse_HelpAmongOtherFlags_HelpRequestedAndFlagsParsed()
    {
        var result = Parse("--grpc-port", "1", "--help");

        Assert.True(result.HelpRequested);
        Assert.Equal("1", result.Values["Server:GrpcPort"]);
    }

    [Fact]
    public void Parse_Values_BindToServerOptions()
    {
        var result = Parse(
            "--model-repository", "/srv/models", "--grpc-port=0", "--strict-readiness=false",
            "--model-control-mode", "explicit", "--load-model", "a", "--load-model", "b");

        var options = new ConfigurationBuilder().AddInMemoryCollection(result.Values).Build()
            .GetSection(ServerOptions.Section).Get<ServerOptions>();

        Assert.NotNull(options);
        Assert.Equal("/srv/models", options.ModelRepository);
        Assert.Equal(0, options.GrpcPort);
        Assert.False(options.StrictReadiness);
        Assert.True(options.ExplicitModelControl);
        Assert.Equal(["a", "b"], options.LoadModel);
    }

    [Theory]
    [InlineData("--model-repository")]
    [InlineData("--grpc-port")]
    [InlineData("--load-model")]
    [InlineData("--strict-readiness")]
    [InlineData("--execution-provider")]
    public void Usage_Always_ListsFlag(string flag)
    {
        Assert.Contains(flag, CommandLineFlags.Usage());
    }
}
