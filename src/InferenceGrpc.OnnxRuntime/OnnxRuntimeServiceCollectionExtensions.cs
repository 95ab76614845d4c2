using InferenceGrpc.Core.Execution;
using InferenceGrpc.OnnxRuntime;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class OnnxRuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Registers the ONNX Runtime backend as the <see cref="IModelBackend"/>. Options come from
    /// <see cref="IOptions{OnnxRuntimeOptions}"/>; the host binds them (section <see cref="OnnxRuntimeOptions.SectionName"/>).
    /// </summary>
    public static IServiceCollection AddOnnxRuntimeBackend(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<OnnxRuntimeOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OnnxRuntimeOptions>, OnnxRuntimeOptionsValidator>());
        services.TryAddSingleton<IModelBackend>(static sp => new OnnxModelBackend(
            sp.GetRequiredService<IOptions<OnnxRuntimeOptions>>().Value,
            sp.GetRequiredService<ILogger<OnnxModelBackend>>()));
        return services;
    }
}
