using System.Globalization;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Monitoring.Drift;
using InferenceGrpc.Server.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace InferenceGrpc.Server.Monitoring;

/// <summary>
/// Drift monitoring in the host: options (section "Drift", validated at start), the monitor as an inference observer
/// reading each version's baseline.json from its folder in the repository, and its consumer as a background service.
/// </summary>
internal static class DriftMonitoringSetup
{
    public static IServiceCollection AddDriftMonitoring(this IServiceCollection services, ServerOptions serverOptions)
    {
        services.AddOptions<DriftOptions>().BindConfiguration(DriftOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DriftOptions>, DriftOptionsValidator>());
        var repository = serverOptions.ModelRepository;
        services.TryAddSingleton(sp => new DriftMonitor(
            sp.GetRequiredService<ModelRegistry>(),
            sp.GetRequiredService<IOptions<DriftOptions>>().Value,
            version => Path.Combine(repository, version.ModelName, version.Version.ToString(CultureInfo.InvariantCulture), DriftBaseline.FileName),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IInferenceObserver, DriftMonitor>(sp => sp.GetRequiredService<DriftMonitor>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelVersionCheck, DriftConfigCheck>(
            sp => new DriftConfigCheck(sp.GetRequiredService<IOptions<DriftOptions>>().Value)));
        services.AddHostedService<DriftMonitoringService>();
        return services;
    }
}

/// <summary>Runs the drift consumer for the life of the host.</summary>
internal sealed class DriftMonitoringService(DriftMonitor monitor) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => monitor.RunAsync(stoppingToken);
}

/// <summary>Checks the drift settings at start, naming each bad one.</summary>
internal sealed class DriftOptionsValidator : IValidateOptions<DriftOptions>
{
    public ValidateOptionsResult Validate(string? name, DriftOptions options) =>
        options.Validate() is { Count: > 0 } errors ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
}
