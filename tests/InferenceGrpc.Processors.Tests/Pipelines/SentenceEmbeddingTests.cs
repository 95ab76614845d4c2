using InferenceGrpc.Core.Execution;
using InferenceGrpc.Processors.Tests.Infrastructure;
using static InferenceGrpc.Processors.Tests.Infrastructure.TensorValues;

namespace InferenceGrpc.Processors.Tests.Pipelines;

/// <summary>
/// The sentence-embedding pipeline in process: the example tokenizer → all-MiniLM-L6-v2 (ONNX Runtime) → the example
/// pool, the steps the text_embedding ensemble chains.
/// </summary>
public sealed class SentenceEmbeddingTests : IDisposable
{
    private readonly IModelRunner _tokenizer = Stages.LoadFolder(Stages.Tokenizer, SourceTree.TokenizerModel);
    private readonly IModelRunner _model = OnnxStages.Load(SourceTree.MiniLm);
    private readonly IModelRunner _pool = Stages.LoadFolder(Stages.Pool, SourceTree.PoolModel);

    public void Dispose()
    {
        _tokenizer.Dispose();
        _model.Dispose();
        _pool.Dispose();
    }

    private float[][] Embed(params string[] sentences)
    {
        var tokens = _tokenizer.Run([Stages.Text("text", sentences)], []);
        using var _ = tokens.Owner;
        var mask = AsInput(Output(tokens, "attention_mask"));
        var hidden = _model.Run([AsInput(Output(tokens, "input_ids")), mask, AsInput(Output(tokens, "token_type_ids"))], ["last_hidden_state"]);
        using var __ = hidden.Owner;
        var pooled = _pool.Run([AsInput(Output(hidden, "last_hidden_state")), mask], []);
        using var ___ = pooled.Owner;
        var values = Floats(Output(pooled, "embedding"));
        return values.Chunk(384).ToArray();
    }

    [Fact]
    public void Embed_Paraphrases_CloserThanUnrelatedSentences()
    {
        var e = Embed(
            "A man is playing a guitar.",
            "Someone plays the guitar.",
            "The stock market fell sharply today.",
            "How do I reset my password?",
            "I forgot my password and need to change it.");

        Assert.All(e, v => Assert.Equal(1f, MathF.Sqrt(Dot(v, v)), 4));
        var guitar = Dot(e[0], e[1]);
        var password = Dot(e[3], e[4]);
        Assert.True(guitar > 0.6f, $"paraphrase cosine {guitar}");
        Assert.True(password > 0.6f, $"paraphrase cosine {password}");
        foreach (var (a, b) in new[] { (0, 2), (0, 3), (1, 4), (2, 4), (2, 3) })
        {
            var unrelated = Dot(e[a], e[b]);
            Assert.True(unrelated < Math.Min(guitar, password) - 0.3f, $"unrelated {a},{b} cosine {unrelated} vs paraphrases {guitar}, {password}");
        }
    }

    [Fact]
    public void Embed_SentenceInAPaddedBatch_SameAsAlone()
    {
        var alone = Embed("A short one.")[0];
        var batched = Embed("A much longer sentence that forces several padding columns onto the short one.", "A short one.")[1];

        Assert.Equal(alone, batched, new Embeddings.EmbeddingPoolTests.Tolerance(1e-5f));
    }
}
