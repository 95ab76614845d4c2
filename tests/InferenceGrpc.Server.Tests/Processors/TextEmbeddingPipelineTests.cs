using System.Runtime.InteropServices;
using System.Text;
using Inference;
using InferenceGrpc.Server.Tests.Infrastructure;

namespace InferenceGrpc.Server.Tests.Processors;

/// <summary>
/// The sentence-embedding example (examples/text_embedding: tokenizer → MiniLM → pool, as an ensemble) served for real:
/// concurrent callers, whose texts the processors batch together (padded to each batch's longest), get the embeddings
/// their texts get alone.
/// </summary>
public sealed class TextEmbeddingPipelineTests(TextEmbeddingPipelineTests.Fixture fixture) : IClassFixture<TextEmbeddingPipelineTests.Fixture>
{
    private const string Pipeline = "text_embedding";

    private static readonly string[] Sentences =
    [
        "A man is playing a guitar.",
        "Someone plays the guitar.",
        "The stock market fell sharply today after the central bank raised interest rates again.",
        "How do I reset my password?",
        "Dynamic batching coalesces requests.",
        "Café au lait, s'il vous plaît.",
    ];

    public sealed class Fixture : ServerFixtureBase
    {
        private protected override void Populate(TestRepository repository)
        {
            repository.CopyModelFolder(Path.Combine(TestRepository.SourceRoot, "artifacts", "models", "minilm"), "minilm");
            foreach (var name in (string[])["text_embedding", "text_embedding_tokenizer", "text_embedding_pool"])
            {
                repository.CopyModelFolder(Path.Combine(TestRepository.SourceRoot, "examples", "text_embedding", name), name);
            }

            // The tokenizer is so quick that concurrent callers rarely queue behind it: let it wait 20 ms for a fuller
            // batch, so rows of different lengths from different callers are padded together.
            var path = Path.Combine(repository.Root, "text_embedding_tokenizer", "config.json");
            var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
            config["dynamic_batching"] = new System.Text.Json.Nodes.JsonObject { ["max_queue_delay_microseconds"] = 20000 };
            File.WriteAllText(path, config.ToJsonString());
        }
    }

    private static ModelInferRequest Request(params string[] texts)
    {
        var data = texts.Select(Encoding.UTF8.GetBytes).SelectMany(b => BitConverter.GetBytes(b.Length).Concat(b)).ToArray();
        return Requests.For(Pipeline).WithRaw("TEXT", "BYTES", [texts.Length, 1], data);
    }

    private static float[] Embeddings(ModelInferResponse response) =>
        MemoryMarshal.Cast<byte, float>(response.RawOutputContents[0].Span).ToArray();

    [Fact]
    public async Task Metadata_TextInUnitVectorsOut()
    {
        var metadata = await fixture.Client.ModelMetadataAsync(new ModelMetadataRequest { Name = Pipeline });

        Assert.Equal(("TEXT", "BYTES"), (metadata.Inputs[0].Name, metadata.Inputs[0].Datatype));
        Assert.Equal([-1L, 1], metadata.Inputs[0].Shape);
        Assert.Equal(("EMBEDDING", "FP32"), (metadata.Outputs[0].Name, metadata.Outputs[0].Datatype));
        Assert.Equal([-1L, 384], metadata.Outputs[0].Shape);
    }

    [Fact]
    public async Task ModelInfer_64ConcurrentCallers_EachGetsItsTextsEmbeddingsAlone()
    {
        const int callers = 64;
        var random = new Random(2026);
        var asked = Enumerable.Range(0, callers)
            .Select(_ => Enumerable.Range(0, random.Next(1, 3)).Select(_ => Sentences[random.Next(Sentences.Length)]).ToArray()).ToArray();

        var responses = await Task.WhenAll(asked.Select(texts => Task.Run(async () => await fixture.Client.ModelInferAsync(Request(texts)))));

        var alone = new Dictionary<string, float[]>();
        foreach (var sentence in Sentences)
        {
            alone[sentence] = Embeddings(await fixture.Client.ModelInferAsync(Request(sentence)));
            Assert.Equal(1f, MathF.Sqrt(alone[sentence].Sum(v => v * v)), 4);
        }

        for (var i = 0; i < callers; i++)
        {
            var got = Embeddings(responses[i]);
            Assert.Equal([asked[i].Length, 384], responses[i].Outputs[0].Shape);
            for (var r = 0; r < asked[i].Length; r++)
            {
                var expected = alone[asked[i][r]];
                var max = Enumerable.Range(0, 384).Max(k => Math.Abs(got[(r * 384) + k] - expected[k]));
                Assert.True(max < 1e-4f, $"caller {i} row {r} ('{asked[i][r]}'): differs by {max} from the text alone");
            }
        }

        // Meaningless unless the tokenizer really ran rows of several callers together.
        var statistics = await fixture.Client.ModelStatisticsAsync(new ModelStatisticsRequest { Name = "text_embedding_tokenizer" });
        Assert.Contains(statistics.ModelStats.SelectMany(s => s.BatchStats), b => b.BatchSize > 2);
    }
}
