using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Monitoring.Drift;
using InferenceGrpc.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace InferenceGrpc.Server.Hosting.Tests;

/// <summary>The drift flags through <see cref="ServerHost.Build"/>: bound, validated at start, and the monitor registered as an observer.</summary>
public sealed class DriftOptionsTests
{
    [Fact]
    public async Task Build_DriftFlags_BindDriftOptionsAndRegisterTheMonitorOnce()
    {
        var app = ServerHost.Build(CommandLineFlags.Parse(
            ["--model-repository", AppContext.BaseDirectory, "--drift-sample-rate", "0.5", "--allow-drift-monitoring", "false"]).Values);
        await using (app.ConfigureAwait(false))
        {
            var options = app.Services.GetRequiredService<IOptions<DriftOptions>>().Value;

            Assert.Equal(0.5, options.SampleRate);
            Assert.False(options.Enabled);
            Assert.Same(app.Services.GetRequiredService<DriftMonitor>(), Assert.Single(app.Services.GetServices<IInferenceObserver>().OfType<DriftMonitor>()));
        }
    }

    [Fact]
    public async Task Build_SampleRateOutOfRange_FailsValidationNamingTheFlag()
    {
        var app = ServerHost.Build(CommandLineFlags.Parse(["--model-repository", AppContext.BaseDirectory, "--drift-sample-rate", "2"]).Values);
        await using (app.ConfigureAwait(false))
        {
            var ex = Assert.Throws<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<DriftOptions>>().Value);

            Assert.Contains("Drift:SampleRate (--drift-sample-rate) must be 0..1, got 2", ex.Failures);
        }
    }
}
