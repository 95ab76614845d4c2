using System.Text.Json;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Processors.Tests.Infrastructure;
using static InferenceGrpc.Processors.Tests.Infrastructure.TensorValues;

namespace InferenceGrpc.Processors.Tests.Text;

/// <summary>
/// The WordPiece tokenizer over MiniLM's own vocab.txt (the committed example). Reference ids are those of BERT-uncased
/// (the same vocabulary), and each is checked against the vocabulary's line numbers, read here independently.
/// </summary>
public sealed class TextTokenizerTests
{
    private static readonly string[] Vocabulary = File.ReadAllLines(Path.Combine(SourceTree.TokenizerModel, "1", "vocab.txt"));

    /// <summary>The example's config, padding to each batch's longest row (the example rounds up to 16) unless overridden.</summary>
    private static Core.Execution.IModelRunner LoadTokenizer(params (string Key, string Value)[] parameters) =>
        Stages.LoadFolder(Stages.Tokenizer, SourceTree.TokenizerModel, [("tokenizer.pad_to_multiple_of", "1"), .. parameters]);

    [Fact]
    public void Vocabulary_IsMiniLms_SpecialTokensAtBertIds()
    {
        Assert.Equal(30522, Vocabulary.Length);
        Assert.Equal(("[PAD]", "[UNK]", "[CLS]", "[SEP]"), (Vocabulary[0], Vocabulary[100], Vocabulary[101], Vocabulary[102]));
    }

    [Theory]
    [InlineData("hello world", new long[] { 101, 7592, 2088, 102 }, new[] { "[CLS]", "hello", "world", "[SEP]" })]
    [InlineData("Hello, World!", new long[] { 101, 7592, 1010, 2088, 999, 102 }, new[] { "[CLS]", "hello", ",", "world", "!", "[SEP]" })]
    [InlineData("unaffable", new long[] { 101, 14477, 20961, 3468, 102 }, new[] { "[CLS]", "una", "##ffa", "##ble", "[SEP]" })]
    [InlineData("Café", new long[] { 101, 7668, 102 }, new[] { "[CLS]", "cafe", "[SEP]" })]
    [InlineData("", new long[] { 101, 102 }, new[] { "[CLS]", "[SEP]" })]
    public void Run_KnownSentence_IdsAreBertUncasedIds(string text, long[] expected, string[] tokens)
    {
        using var tokenizer = LoadTokenizer();

        var result = tokenizer.Run([Stages.Text("text", text)], []);
        using var _ = result.Owner;

        // The reference ids are the tokens' (0-based) line numbers in the vocabulary.
        Assert.Equal(tokens, expected.Select(id => Vocabulary[id]));
        Assert.Equal(expected, Longs(Output(result, "input_ids")));
        Assert.Equal(Enumerable.Repeat(1L, expected.Length), Longs(Output(result, "attention_mask")));
        Assert.Equal(new long[expected.Length], Longs(Output(result, "token_type_ids")));
        Assert.Equal([1, expected.Length], Output(result, "input_ids").Shape);
    }

    /// <summary>
    /// Lowercase ASCII sentences against a reference WordPiece written here: split on spaces and punctuation, then
    /// greedy longest-match-first with "##" continuations (BERT's algorithm), ids = vocabulary line numbers.
    /// </summary>
    [Theory]
    [InlineData("The quick brown fox jumps over the lazy dog.")]
    [InlineData("Tokenization of unaffable, unbelievable embeddings!")]
    [InlineData("gRPC servers batch transformer inference requests dynamically")]
    public void Run_Sentence_MatchesReferenceWordPiece(string text)
    {
        using var tokenizer = LoadTokenizer();

        var result = tokenizer.Run([Stages.Text("text", text)], ["input_ids"]);
        using var _ = result.Owner;

        Assert.Equal(ReferenceWordPiece(text), Longs(Output(result, "input_ids")));
    }

    private static long[] ReferenceWordPiece(string text)
    {
        var ids = Vocabulary.Select((token, id) => (token, id)).ToDictionary(p => p.token, p => (long)p.id);
        var words = System.Text.RegularExpressions.Regex.Matches(text.ToLowerInvariant(), @"[a-z0-9]+|[^\sa-z0-9]").Select(m => m.Value);
        var result = new List<long> { ids["[CLS]"] };
        foreach (var word in words)
        {
            var pieces = new List<long>();
            for (var start = 0; start < word.Length;)
            {
                var end = word.Length;
                while (end > start && !ids.ContainsKey((start > 0 ? "##" : "") + word[start..end]))
                {
                    end--;
                }

                if (end == start)
                {
                    pieces = [ids["[UNK]"]];
                    break;
                }

                pieces.Add(ids[(start > 0 ? "##" : "") + word[start..end]]);
                start = end;
            }

            result.AddRange(pieces);
        }

        result.Add(ids["[SEP]"]);
        return [.. result];
    }

    [Fact]
    public void Run_Batch_PadsToLongestRowWithZerosAndMaskZero()
    {
        using var tokenizer = LoadTokenizer();

        var result = tokenizer.Run([Stages.Text("text", "hello world", "hello", "unaffable")], []);
        using var _ = result.Owner;

        Assert.Equal([3, 5], Output(result, "input_ids").Shape);
        Assert.Equal([101, 7592, 2088, 102, 0, 101, 7592, 102, 0, 0, 101, 14477, 20961, 3468, 102], Longs(Output(result, "input_ids")));
        Assert.Equal([1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1], Longs(Output(result, "attention_mask")));
        Assert.Equal(new long[15], Longs(Output(result, "token_type_ids")));
    }

    [Theory]
    [InlineData("longest", "1", 5)]
    [InlineData("longest", "8", 8)]
    [InlineData("longest", "3", 6)]
    [InlineData("max_length", "1", 12)]
    public void Run_PaddingOptions_WidthAsAsked(string padding, string multiple, int width)
    {
        using var tokenizer = Stages.LoadFolder(Stages.Tokenizer, SourceTree.TokenizerModel,
            ("tokenizer.padding", padding), ("tokenizer.pad_to_multiple_of", multiple), ("tokenizer.max_length", "12"));

        var result = tokenizer.Run([Stages.Text("text", "hello world", "unaffable")], []);
        using var _ = result.Owner;

        Assert.Equal([2, width], Output(result, "input_ids").Shape);
        var ids = Longs(Output(result, "input_ids"));
        var mask = Longs(Output(result, "attention_mask"));
        Assert.Equal([101, 14477, 20961, 3468, 102], ids.AsSpan(width, 5).ToArray());
        Assert.All(ids.AsSpan(width + 5).ToArray(), v => Assert.Equal(0, v));
        Assert.Equal(9, mask.Sum());
    }

    [Fact]
    public void Run_LongerThanMaxLength_TruncatedKeepingFinalSep()
    {
        using var tokenizer = LoadTokenizer(("tokenizer.max_length", "6"));

        var result = tokenizer.Run([Stages.Text("text", "hello world hello world hello world hello world")], []);
        using var _ = result.Owner;

        Assert.Equal([101, 7592, 2088, 7592, 2088, 102], Longs(Output(result, "input_ids")));
    }

    [Fact]
    public void Run_OutputsAsked_ReturnedInTheOrderAsked()
    {
        using var tokenizer = LoadTokenizer();

        var result = tokenizer.Run([Stages.Text("text", "hello")], ["attention_mask", "input_ids"]);
        using var _ = result.Owner;

        Assert.Equal(["attention_mask", "input_ids"], result.Outputs.Select(o => o.Name));
    }

    [Fact]
    public void Run_InvalidUtf8_InvalidArgumentNamingTheElement()
    {
        using var tokenizer = LoadTokenizer();

        var ex = Assert.Throws<InferenceException>(() => tokenizer.Run([Stages.Bytes("text", "ok"u8.ToArray(), [0xC3, 0x28])], []));

        Assert.Equal(InferenceErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("input 'text' element 1 is not valid UTF-8", ex.Message);
    }

    [Fact]
    public void Graph_BytesInOneStringPerRow_Int64Outputs()
    {
        using var tokenizer = LoadTokenizer();

        var input = Assert.Single(tokenizer.Graph.Inputs);
        Assert.Equal(("text", Core.Tensors.DataType.Bytes), (input.Name, input.DataType));
        Assert.Equal([-1, 1], input.Dims);
        Assert.Equal(["input_ids", "attention_mask", "token_type_ids"], tokenizer.Graph.Outputs.Select(o => o.Name));
        Assert.All(tokenizer.Graph.Outputs, o => Assert.Equal([-1, -1], o.Dims));
        Assert.Equal("vocab.txt", ModelRepositoryScanner.ScanModel(SourceTree.TokenizerModel).Config.ModelFileName);
    }

    [Theory]
    [InlineData("tokenizer.max_length", "many", "parameter 'tokenizer.max_length' must be an integer from 4 to 65536, got 'many'")]
    [InlineData("tokenizer.lower_case", "yes", "parameter 'tokenizer.lower_case' must be 'true' or 'false', got 'yes'")]
    [InlineData("tokenizer.kind", "sentencepiece", "parameter 'tokenizer.kind' must be one of 'wordpiece', 'bpe', got 'sentencepiece'")]
    [InlineData("tokenizer.max_lenght", "64", "parameter 'tokenizer.max_lenght' is not one this processor reads")]
    public void Load_BadParameter_ConfigErrorNamingKeyExpectedAndGot(string key, string value, string message)
    {
        var ex = Assert.Throws<ModelConfigException>(() => LoadTokenizer((key, value)));

        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void Load_NoVocabulary_ConfigErrorNamingWhatWasExpected()
    {
        var ex = Assert.Throws<ModelConfigException>(() => Stages.Load(Stages.Tokenizer, "tok"));

        Assert.Contains("expected vocab.txt (WordPiece) or vocab.json + merges.txt (BPE)", ex.Message);
    }

    [Fact]
    public void Run_BpeVocabulary_MergesAndWrapsWithConfiguredTokens()
    {
        var folder = Directory.CreateTempSubdirectory("igrpc-bpe-");
        try
        {
            var version = Directory.CreateDirectory(Path.Combine(folder.FullName, "1"));
            var vocab = new Dictionary<string, int>
            {
                ["h"] = 0, ["e"] = 1, ["l"] = 2, ["o"] = 3, ["w"] = 4, ["he"] = 5, ["ll"] = 6, ["hell"] = 7, ["hello"] = 8,
                ["<s>"] = 9, ["</s>"] = 10, ["<pad>"] = 11,
            };
            File.WriteAllText(Path.Combine(version.FullName, "vocab.json"), JsonSerializer.Serialize(vocab));
            File.WriteAllText(Path.Combine(version.FullName, "merges.txt"), "#version: 0.2\nh e\nl l\nhe ll\nhell o\n");
            using var tokenizer = Stages.Tokenizer.Load(
                new ModelVersionSource(1, Path.Combine(version.FullName, ModelConfig.DefaultModelFileName)),
                Stages.Config("bpe", ("tokenizer.kind", "bpe"), ("tokenizer.byte_level", "false"),
                    ("tokenizer.cls_token", "<s>"), ("tokenizer.sep_token", "</s>"), ("tokenizer.pad_token", "<pad>")));

            var result = tokenizer.Run([Stages.Text("text", "hello", "hello low")], []);
            using var _ = result.Owner;

            // "low" has no merges: l, o, w. The shorter row is padded with <pad>'s id, not 0.
            Assert.Equal([9, 8, 10, 11, 11, 11, 9, 8, 2, 3, 4, 10], Longs(Output(result, "input_ids")));
            Assert.Equal([1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1], Longs(Output(result, "attention_mask")));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
