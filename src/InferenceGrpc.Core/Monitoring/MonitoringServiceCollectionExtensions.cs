using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Monitoring.Capture;
using InferenceGrpc.Core.Monitoring.Shadow;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class MonitoringServiceCollectionExtensions
{
    /// <summary>
    /// Prediction capture as an inference observer. Needs <see cref="CaptureOptions"/>, a TimeProvider, logging and
    /// metrics registered; the container's disposal (at shutdown) writes what is queued and flushes the files.
    /// </summary>
    public static IServiceCollection AddPredictionCapture(this IServiceCollection services)
    {
        services.TryAddSingleton<CaptureObserver>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IInferenceObserver, CaptureObserver>(sp => sp.GetRequiredService<CaptureObserver>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelVersionCheck, CaptureConfigCheck>());
        return services;
    }

    /// <summary>Shadow versions as an inference observer. Needs <see cref="ShadowOptions"/>, the ModelRegistry, a TimeProvider, logging and metrics.</summary>
    public static IServiceCollection AddShadowVersions(this IServiceCollection services)
    {
        services.TryAddSingleton<ShadowObserver>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IInferenceObserver, ShadowObserver>(sp => sp.GetRequiredService<ShadowObserver>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelVersionCheck, ShadowConfigCheck>());
        return services;
    }
}
