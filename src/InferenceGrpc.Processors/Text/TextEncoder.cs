using System.Text.RegularExpressions;
using InferenceGrpc.Core.Models;
using Microsoft.ML.Tokenizers;

namespace InferenceGrpc.Processors.Text;

/// <summary>
/// A Microsoft.ML.Tokenizers tokenizer plus the special token ids this server adds itself, so truncation can keep the
/// end token: the text is encoded to at most <c>max_length</c> minus the special tokens, then wrapped.
/// Thread-safe: the tokenizers are immutable once built (their caches are concurrent).
/// </summary>
internal sealed partial class TextEncoder
{
    private readonly Tokenizer _tokenizer;
    private readonly BertTokenizer? _bert;

    private TextEncoder(Tokenizer tokenizer, string kind, string vocabularyPath, int vocabularySize, int? startId, int? endId, int padId, bool foldAccents = false)
    {
        FoldAccents = foldAccents;
        _tokenizer = tokenizer;
        _bert = tokenizer as BertTokenizer;
        Kind = kind;
        VocabularyPath = vocabularyPath;
        VocabularySize = vocabularySize;
        StartId = startId;
        EndId = endId;
        PadId = padId;
    }

    public string Kind { get; }

    public string VocabularyPath { get; }

    public int VocabularySize { get; }

    public int? StartId { get; }

    public int? EndId { get; }

    public int PadId { get; }

    /// <summary>Whether the text's accents must be stripped before encoding (<see cref="AccentFolding"/>).</summary>
    public bool FoldAccents { get; }

    /// <summary>Special tokens around each row.</summary>
    public int SpecialCount => (StartId is null ? 0 : 1) + (EndId is null ? 0 : 1);

    /// <summary>The ids of <paramref name="text"/>, at most <paramref name="maxTokens"/> of them, without special tokens.</summary>
    public IReadOnlyList<int> Encode(ReadOnlySpan<char> text, int maxTokens) => _bert is not null
        ? _bert.EncodeToIds(text, maxTokens, addSpecialTokens: false, out _, out _)
        : _tokenizer.EncodeToIds(text, maxTokens, out _, out _);

    /// <summary>Loads the vocabulary of a version folder.</summary>
    /// <exception cref="ModelConfigException">The files are missing or unreadable, or a special token is not in the vocabulary.</exception>
    public static TextEncoder Load(ModelVersionSource source, ModelConfig config, TokenizerSettings settings)
    {
        var vocabulary = FindVocabulary(source, config);
        var bpe = settings.Kind == TokenizerSettings.Bpe ||
                  (settings.Kind is null && vocabulary.EndsWith(".json", StringComparison.OrdinalIgnoreCase));
        try
        {
            return bpe ? LoadBpe(vocabulary, settings) : LoadWordPiece(vocabulary, settings);
        }
        catch (Exception ex) when (ex is IOException or FormatException or ArgumentException or InvalidOperationException or System.Text.Json.JsonException)
        {
            throw new ModelConfigException($"model '{config.Name}': cannot read the {(bpe ? "BPE" : "WordPiece")} vocabulary '{vocabulary}': {ex.Message}");
        }
    }

    /// <summary>
    /// The config's <c>default_model_filename</c> when it names one (then a change of that file reloads the version
    /// in poll mode), else <c>vocab.txt</c> (WordPiece) or <c>vocab.json</c> (BPE) in the version folder.
    /// </summary>
    private static string FindVocabulary(ModelVersionSource source, ModelConfig config)
    {
        if (config.ModelFileName != ModelConfig.DefaultModelFileName)
        {
            return File.Exists(source.ModelPath)
                ? source.ModelPath
                : throw new ModelConfigException($"model '{config.Name}': vocabulary file '{source.ModelPath}' (default_model_filename) does not exist");
        }

        var folder = Path.GetDirectoryName(source.ModelPath)!;
        foreach (var name in (ReadOnlySpan<string>)["vocab.txt", "vocab.json"])
        {
            var path = Path.Combine(folder, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new ModelConfigException($"model '{config.Name}': no vocabulary in '{folder}': expected vocab.txt (WordPiece) or vocab.json + merges.txt (BPE), or set default_model_filename");
    }

    private static TextEncoder LoadWordPiece(string vocabulary, TokenizerSettings s)
    {
        var options = new BertOptions
        {
            LowerCaseBeforeTokenization = s.LowerCase,
            // Accents are stripped with lowercasing, as BERT-uncased was trained (HF: strip_accents follows do_lower_case).
            RemoveNonSpacingMarks = s.LowerCase,
        };
        if (s.UnknownToken is { } unk)
        {
            options.UnknownToken = unk;
        }

        if (s.ClsToken is { } cls)
        {
            options.ClassificationToken = cls;
        }

        if (s.SepToken is { } sep)
        {
            options.SeparatorToken = sep;
        }

        if (s.PadToken is { } pad)
        {
            options.PaddingToken = pad;
        }

        var bert = BertTokenizer.Create(vocabulary, options);
        var size = File.ReadLines(vocabulary).Count();
        return new TextEncoder(bert, TokenizerSettings.WordPiece, vocabulary, size,
            s.AddSpecialTokens && s.ClsToken is not null ? bert.ClassificationTokenId : null,
            s.AddSpecialTokens && s.SepToken is not null ? bert.SeparatorTokenId : null,
            s.PadToken is null ? 0 : bert.PaddingTokenId,
            foldAccents: s.LowerCase);
    }

    private static TextEncoder LoadBpe(string vocabulary, TokenizerSettings s)
    {
        var merges = Path.Combine(Path.GetDirectoryName(vocabulary)!, s.MergesFile);
        if (!File.Exists(merges))
        {
            throw new FileNotFoundException($"the merges file '{merges}' does not exist");
        }

        var options = new BpeOptions(vocabulary, merges)
        {
            ByteLevel = s.ByteLevel,
            UnknownToken = s.UnknownToken,
            // GPT-2's split: contractions, letters, digits and other runs, each with its leading space.
            PreTokenizer = new RegexPreTokenizer(s.ByteLevel ? Gpt2Split() : WhiteSpaceSplit(), null),
        };
        var bpe = BpeTokenizer.Create(options);
        return new TextEncoder(bpe, TokenizerSettings.Bpe, vocabulary, bpe.Vocabulary.Count,
            s.AddSpecialTokens ? Id(bpe, s.ClsToken, "cls_token") : null,
            s.AddSpecialTokens ? Id(bpe, s.SepToken, "sep_token") : null,
            Id(bpe, s.PadToken, "pad_token") ?? 0);
    }

    private static int? Id(BpeTokenizer bpe, string? token, string key) => token is null
        ? null
        : bpe.Vocabulary.TryGetValue(token, out var id)
            ? id
            : throw new ArgumentException($"parameter '{TokenizerSettings.Prefix}{key}' names '{token}', which is not in the vocabulary");

    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")]
    private static partial Regex Gpt2Split();

    [GeneratedRegex(@"\S+")]
    private static partial Regex WhiteSpaceSplit();
}
