namespace InferenceGrpc.Processors.Tests.Infrastructure;

/// <summary>Paths in the checkout: the folder above this assembly that holds InferenceGrpc.sln.</summary>
internal static class SourceTree
{
    public static string Root { get; } = Find();

    /// <summary>The committed MiniLM tokenizer example (its vocab.txt is MiniLM's own).</summary>
    public static string TokenizerModel => Path.Combine(Root, "examples", "text_embedding", "text_embedding_tokenizer");

    public static string PoolModel => Path.Combine(Root, "examples", "text_embedding", "text_embedding_pool");

    public static string TextDirection => Path.Combine(Root, "models", "text_direction");

    public static string TextDirectionPreprocess => Path.Combine(Root, "models", "text_direction_preprocess");

    public static string TextDirectionImage => Path.Combine(Root, "models", "text_direction_image");

    /// <summary>Extracted by benchmarks/InferenceGrpc.Benchmarks.Models, which this project builds first.</summary>
    public static string MiniLm => Path.Combine(Root, "artifacts", "models", "minilm");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "InferenceGrpc.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no InferenceGrpc.sln above {AppContext.BaseDirectory}");
    }
}
