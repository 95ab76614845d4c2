using InferenceGrpc.Core.Execution;
using InferenceGrpc.Processors.Embeddings;
using InferenceGrpc.Processors.Imaging;
using InferenceGrpc.Processors.Text;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class ProcessorServiceCollectionExtensions
{
    /// <summary>
    /// Registers the built-in processors as backends a model config can name: <c>text_tokenizer</c>,
    /// <c>embedding_pool</c> and <c>image_preprocess</c> (docs/MODELS.md, "Processors").
    /// </summary>
    public static IServiceCollection AddProcessorBackends(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelBackend, TextTokenizerBackend>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelBackend, EmbeddingPoolBackend>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelBackend, ImagePreprocessBackend>());
        return services;
    }
}
