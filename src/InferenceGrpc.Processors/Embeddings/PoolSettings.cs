using InferenceGrpc.Core.Models;
using InferenceGrpc.Processors.Configuration;

namespace InferenceGrpc.Processors.Embeddings;

/// <summary>The <c>pool.*</c> parameters of an <c>embedding_pool</c> model, parsed and checked at load.</summary>
internal sealed record PoolSettings
{
    public const string Prefix = "pool.";

    public required string HiddenName { get; init; }

    public required string MaskName { get; init; }

    public required string OutputName { get; init; }

    /// <summary>Scale each embedding to unit length (cosine similarity becomes a dot product).</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>The hidden size H, or -1 for any (then the metadata says -1).</summary>
    public int HiddenSize { get; init; } = -1;

    public static PoolSettings Read(ModelConfig config)
    {
        var p = new ProcessorParameters(config, Prefix);
        var settings = new PoolSettings
        {
            HiddenName = p.Name("hidden_name", "last_hidden_state"),
            MaskName = p.Name("mask_name", "attention_mask"),
            OutputName = p.Name("output_name", "embedding"),
            Normalize = p.Bool("normalize", true),
            HiddenSize = p.Int("hidden_size", -1, -1, 1 << 20),
        };
        if (settings.HiddenSize == 0)
        {
            p.Error($"parameter '{Prefix}hidden_size' must be -1 (any) or above 0, got '0'");
        }

        if (settings.HiddenName == settings.MaskName)
        {
            p.Error($"parameters '{Prefix}hidden_name' and '{Prefix}mask_name' must differ, both are '{settings.HiddenName}'");
        }

        p.ThrowIfInvalid();
        return settings;
    }
}
