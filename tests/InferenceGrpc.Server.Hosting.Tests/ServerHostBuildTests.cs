using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Monitoring.Capture;
using InferenceGrpc.Core.Monitoring.Shadow;
using InferenceGrpc.OnnxRuntime;
using InferenceGrpc.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace InferenceGrpc.Server.Hosting.Tests;

/// <summary>Flags through <see cref="ServerHost.Build"/> to bound, validated options; the host is never started.</summary>
public sealed class ServerHostBuildTests
{
    private static async Task<T> OptionsAfterBuild<T>(params string[] args) where T : class
    {
        var flags = CommandLineFlags.Parse(args);
        Assert.Empty(flags.Errors);
        var app = ServerHost.Build(flags.Values);
        await using (app.ConfigureAwait(false))
        {
            return app.Services.GetRequiredService<IOptions<T>>().Value;
        }
    }

    [Fact]
    public async Task Build_ValidFlags_BindsServerOptions()
    {
        var options = await OptionsAfterBuild<ServerOptions>(
            "--model-repository", AppContext.BaseDirectory, "--grpc-address=127.0.0.1", "--grpc-port", "0",
            "--model-control-mode", "explicit", "--load-model", "a", "--load-model=b", "--strict-readiness=false",
            "--exit-timeout-secs", "3");

        Assert.Equal(AppContext.BaseDirectory, options.ModelRepository);
        Assert.Equal("127.0.0.1", options.GrpcAddress);
        Assert.Equal(0, options.GrpcPort);
        Assert.Equal(["a", "b"], options.LoadModel);
        Assert.False(options.StrictReadiness);
        Assert.Equal(3, options.ExitTimeoutSecs);
    }

    [Fact]
    public async Task Build_LowercaseExecutionProviderFlag_BindsEnum()
    {
        var options = await OptionsAfterBuild<OnnxRuntimeOptions>(
            "--model-repository", AppContext.BaseDirectory, "--execution-provider", "cpu", "--intra-op-threads", "2");

        Assert.Equal(ExecutionProviderPreference.Cpu, options.ExecutionProvider);
        Assert.Equal(2, options.IntraOpThreads);
    }

    [Fact]
    public async Task Build_DefaultMaxBatchSizeFlag_BindsModelLoaderOptions()
    {
        var options = await OptionsAfterBuild<ModelLoaderOptions>(
            "--model-repository", AppContext.BaseDirectory, "--default-max-batch-size", "16");

        Assert.Equal(16, options.DefaultMaxBatchSize);
    }

    [Fact]
    public async Task Build_SeveralInvalidServerSettings_ValidationExceptionListsEveryFailure()
    {
        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => OptionsAfterBuild<ServerOptions>(
            "--model-repository", Path.Combine(AppContext.BaseDirectory, "missing"), "--grpc-port", "70000",
            "--exit-timeout-secs", "-1"));

        Assert.Equal(3, exception.Failures.Count());
        Assert.Contains(exception.Failures, f => f.StartsWith("--model-repository", StringComparison.Ordinal));
        Assert.Contains(exception.Failures, f => f.StartsWith("--grpc-port", StringComparison.Ordinal));
        Assert.Contains(exception.Failures, f => f.StartsWith("--exit-timeout-secs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Build_NegativeDefaultMaxBatchSize_ValidationExceptionNamesFlag()
    {
        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => OptionsAfterBuild<ModelLoaderOptions>(
            "--model-repository", AppContext.BaseDirectory, "--default-max-batch-size", "-1"));

        Assert.Contains("--default-max-batch-size", Assert.Single(exception.Failures));
    }

    [Fact]
    public async Task Build_NegativeIntraOpThreads_ValidationExceptionNamesSetting()
    {
        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => OptionsAfterBuild<OnnxRuntimeOptions>(
            "--model-repository", AppContext.BaseDirectory, "--intra-op-threads", "-1"));

        Assert.Contains("IntraOpThreads", Assert.Single(exception.Failures));
    }

    [Fact]
    public async Task Build_CaptureAndShadowFlags_BindTheirOptions()
    {
        var capture = await OptionsAfterBuild<CaptureOptions>(
            "--model-repository", AppContext.BaseDirectory, "--capture-directory", "/var/captures", "--capture-queue-size", "16");
        var shadow = await OptionsAfterBuild<ShadowOptions>("--model-repository", AppContext.BaseDirectory, "--shadow-max-inflight", "4");

        Assert.Equal(("/var/captures", 16, true), (capture.Directory, capture.QueueSize, capture.Enabled));
        Assert.Equal(4, shadow.MaxInFlight);
    }

    [Fact]
    public async Task Build_ZeroCaptureQueueAndShadowInFlight_ValidationExceptionsNameTheFlags()
    {
        var capture = await Assert.ThrowsAsync<OptionsValidationException>(() => OptionsAfterBuild<CaptureOptions>(
            "--model-repository", AppContext.BaseDirectory, "--capture-queue-size", "0"));
        var shadow = await Assert.ThrowsAsync<OptionsValidationException>(() => OptionsAfterBuild<ShadowOptions>(
            "--model-repository", AppContext.BaseDirectory, "--shadow-max-inflight", "0"));

        Assert.Contains("--capture-queue-size", Assert.Single(capture.Failures));
        Assert.Contains("--shadow-max-inflight", Assert.Single(shadow.Failures));
    }

    [Fact]
    public async Task Build_CaptureDirectoryIsAFile_ValidationExceptionNamesTheFlag()
    {
        var file = Path.GetTempFileName();
        try
        {
            var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => OptionsAfterBuild<CaptureOptions>(
                "--model-repository", AppContext.BaseDirectory, "--capture-directory", file));

            Assert.StartsWith("Capture:Directory (--capture-directory) must be a directory", Assert.Single(exception.Failures), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Build_Backends_OnnxRuntimeAndTheBuiltInProcessors()
    {
        var app = ServerHost.Build(CommandLineFlags.Parse(["--model-repository", AppContext.BaseDirectory]).Values);
        await using (app.ConfigureAwait(false))
        {
            var catalog = app.Services.GetRequiredService<InferenceGrpc.Core.Execution.BackendCatalog>();

            Assert.Equal(["embedding_pool", "image_preprocess", "onnxruntime", "text_tokenizer"], catalog.Names);
        }
    }
}
