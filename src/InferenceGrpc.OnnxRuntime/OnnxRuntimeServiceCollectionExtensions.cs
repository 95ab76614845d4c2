using InferenceGrpc.Core.Execution;
using InferenceGrpc.OnnxRuntime;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class OnnxRuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Registers the ONNX Runtime backend as an <see cref="IModelBackend"/> ("onnxruntime"). Options come from
    /// <see cref="IOptions{OnnxRuntimeOptions}"/>; the host binds them (section <see cref="OnnxRuntimeOptions.SectionName"/>).
    /// </summary>
    public static IServiceCollection AddOnnxRuntimeBackend(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<OnnxRuntimeOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OnnxRuntimeOptions>, OnnxRuntimeOptionsValidator>());
        // One of several backends (the host's BackendCatalog picks by the config's "backend"), hence an enumerable.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelBackend, OnnxModelBackend>(static sp => new OnnxModelBackend(
            sp.GetRequiredService<IOptions<OnnxRuntimeOptions>>().Value,
            sp.GetRequiredService<ILogger<OnnxModelBackend>>())));
        return services;
    }
}
