using InferenceGrpc.Core.Models;
using InferenceGrpc.Processors.Configuration;

namespace InferenceGrpc.Processors.Text;

/// <summary>The <c>tokenizer.*</c> parameters of a <c>text_tokenizer</c> model, parsed and checked at load.</summary>
internal sealed record TokenizerSettings
{
    public const string Prefix = "tokenizer.";
    public const string WordPiece = "wordpiece";
    public const string Bpe = "bpe";

    /// <summary>The BYTES input: one UTF-8 string per row.</summary>
    public required string InputName { get; init; }

    /// <summary>"wordpiece" or "bpe"; null: from the vocabulary file's extension (.txt WordPiece, .json BPE).</summary>
    public string? Kind { get; init; }

    /// <summary>Longest sequence produced, special tokens included; longer texts are cut, keeping the end token.</summary>
    public int MaxLength { get; init; } = 128;

    public bool LowerCase { get; init; } = true;

    /// <summary>
    /// Pad every batch to <see cref="MaxLength"/> ("max_length") instead of its longest row ("longest"), so every
    /// request has one shape and the next model batches any of them together (HF's padding="max_length").
    /// </summary>
    public bool PadToMaxLength { get; init; }

    /// <summary>
    /// Round the padded length up to a multiple of this (HF's pad_to_multiple_of): requests of nearby lengths then
    /// share a shape, so the next model can batch them, for at most this many padding columns more.
    /// </summary>
    public int PadToMultipleOf { get; init; } = 1;

    public bool AddSpecialTokens { get; init; } = true;

    /// <summary>The start token ([CLS]; BPE: e.g. "&lt;s&gt;"); null: none.</summary>
    public string? ClsToken { get; init; }

    /// <summary>The end token ([SEP]; BPE: e.g. "&lt;/s&gt;"); null: none.</summary>
    public string? SepToken { get; init; }

    /// <summary>The padding token; null: id 0.</summary>
    public string? PadToken { get; init; }

    public string? UnknownToken { get; init; }

    /// <summary>BPE: the merges file beside the vocabulary.</summary>
    public string MergesFile { get; init; } = "merges.txt";

    /// <summary>BPE: GPT-2 style byte-level encoding (spaces become 'Ġ').</summary>
    public bool ByteLevel { get; init; } = true;

    /// <exception cref="ModelConfigException">A value is invalid or a tokenizer.* key is unknown; every problem is named.</exception>
    public static TokenizerSettings Read(ModelConfig config)
    {
        var p = new ProcessorParameters(config, Prefix);
        var kind = p.Raw("kind") is null ? null : p.Choice("kind", WordPiece, WordPiece, Bpe);
        var bpe = kind == Bpe || (kind is null && config.ModelFileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase));
        var settings = new TokenizerSettings
        {
            InputName = p.Name("input_name", "text"),
            Kind = kind,
            MaxLength = p.Int("max_length", 128, 4, 65536),
            LowerCase = p.Bool("lower_case", true),
            PadToMaxLength = p.Choice("padding", "longest", "longest", "max_length") == "max_length",
            PadToMultipleOf = p.Int("pad_to_multiple_of", 1, 1, 4096),
            AddSpecialTokens = p.Bool("add_special_tokens", true),
            ClsToken = Token(p, "cls_token", bpe ? null : "[CLS]"),
            SepToken = Token(p, "sep_token", bpe ? null : "[SEP]"),
            PadToken = Token(p, "pad_token", bpe ? null : "[PAD]"),
            UnknownToken = Token(p, "unk_token", bpe ? null : "[UNK]"),
            MergesFile = p.Name("merges_file", "merges.txt"),
            ByteLevel = p.Bool("byte_level", true),
        };
        if (settings.MergesFile.Contains('/') || settings.MergesFile.Contains('\\'))
        {
            p.Error($"parameter '{Prefix}merges_file' must be a file name in the version folder, got '{settings.MergesFile}'");
        }

        p.ThrowIfInvalid();
        return settings;
    }

    // An empty value switches a default token off (say, a BPE model without a start token).
    private static string? Token(ProcessorParameters p, string key, string? defaultValue) =>
        p.Raw(key) is { } raw ? (raw.Length == 0 ? null : p.Name(key, raw)) : defaultValue;
}
