using BenchmarkDotNet.Attributes;
using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.Processors.Embeddings;
using InferenceGrpc.Processors.Imaging;
using InferenceGrpc.Processors.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SkiaSharp;

namespace InferenceGrpc.Microbenchmarks;

/// <summary>
/// The built-in processors' throughput per stage, one batch per operation, on the bundled example configs:
/// tokenizing 32 sentences (MiniLM's WordPiece), pooling 32 × 16 × 384 hidden states, and preprocessing 8 images
/// (the text_direction sample PNG, 192x48, no resampling; and 640x480 JPEGs resized and centre-cropped to 224x224).
/// Rows per second = batch / mean time.
/// </summary>
[MemoryDiagnoser]
public class ProcessorBenchmarks
{
    public const int Sentences = 32;
    public const int Images = 8;

    private static readonly string[] Corpus =
    [
        "A man is playing a guitar.",
        "The stock market fell sharply today after the announcement.",
        "How do I reset my password if I no longer have access to my email?",
        "Dynamic batching lets a model server coalesce concurrent requests into one run.",
    ];

    private IModelRunner _tokenizer = null!;
    private IModelRunner _pool = null!;
    private IModelRunner _textDirection = null!;
    private IModelRunner _cropper = null!;
    private IReadOnlyList<InputTensor> _text = null!;
    private IReadOnlyList<InputTensor> _hidden = null!;
    private IReadOnlyList<InputTensor> _png = null!;
    private IReadOnlyList<InputTensor> _jpeg = null!;

    [GlobalSetup]
    public void Setup()
    {
        var root = RepoRoot();
        _tokenizer = Load(new TextTokenizerBackend(NullLogger<TextTokenizerBackend>.Instance), Path.Combine(root, "examples", "text_embedding", "text_embedding_tokenizer"));
        _pool = Load(new EmbeddingPoolBackend(NullLogger<EmbeddingPoolBackend>.Instance), Path.Combine(root, "examples", "text_embedding", "text_embedding_pool"));
        var images = new ImagePreprocessBackend(NullLogger<ImagePreprocessBackend>.Instance);
        _textDirection = Load(images, Path.Combine(root, "models", "text_direction_preprocess"));
        _cropper = images.Load(new ModelVersionSource(1, Path.Combine(root, "none", "1", "model.onnx")), new ModelConfig
        {
            Name = "crop224",
            Parameters = new Dictionary<string, string>
            {
                ["image.width"] = "224", ["image.height"] = "224", ["image.resize"] = "crop_center", ["image.shorter_side"] = "256",
                ["image.mean"] = "0.485,0.456,0.406", ["image.std"] = "0.229,0.224,0.225",
            },
        });

        _text = SentenceBatch();
        var random = new Random(1);
        var hidden = new float[Sentences * 16 * 384];
        Array.ForEach(Enumerable.Range(0, hidden.Length).ToArray(), i => hidden[i] = (float)random.NextDouble());
        var mask = Enumerable.Range(0, Sentences * 16).Select(i => i % 16 < 12 ? 1L : 0L).ToArray();
        _hidden =
        [
            new InputTensor("last_hidden_state", DataType.Fp32, [Sentences, 16, 384], System.Runtime.InteropServices.MemoryMarshal.AsBytes(hidden.AsSpan()).ToArray()),
            new InputTensor("attention_mask", DataType.Int64, [Sentences, 16], System.Runtime.InteropServices.MemoryMarshal.AsBytes(mask.AsSpan()).ToArray()),
        ];
        var png = File.ReadAllBytes(Path.Combine(root, "models", "text_direction_image", "sample_upright.png"));
        _png = [Bytes("image", Enumerable.Repeat(png, Images))];
        _jpeg = [Bytes("image", Enumerable.Repeat(Jpeg(640, 480), Images))];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _tokenizer.Dispose();
        _pool.Dispose();
        _textDirection.Dispose();
        _cropper.Dispose();
    }

    [Benchmark(Description = "tokenize 32 sentences (WordPiece)")]
    public int Tokenize() => Consume(_tokenizer.Run(_text, []));

    [Benchmark(Description = "mean-pool + L2, 32 x 16 x 384")]
    public int Pool() => Consume(_pool.Run(_hidden, []));

    [Benchmark(Description = "8 PNG 192x48 -> 3x48x192 (text_direction)")]
    public int ImagesTextDirection() => Consume(_textDirection.Run(_png, []));

    [Benchmark(Description = "8 JPEG 640x480 -> 3x224x224 (crop_center)")]
    public int ImagesCrop224() => Consume(_cropper.Run(_jpeg, []));

    private static int Consume(RunResult result)
    {
        var length = result.Outputs[0].Data.Length;
        result.Owner?.Dispose();
        return length;
    }

    /// <summary>32 BYTES rows cycling through four sentences of 7 to 17 tokens.</summary>
    internal static IReadOnlyList<InputTensor> SentenceBatch() =>
        [Bytes("text", Enumerable.Range(0, Sentences).Select(i => System.Text.Encoding.UTF8.GetBytes(Corpus[i % Corpus.Length])))];

    internal static IModelRunner Load(IModelBackend backend, string folder)
    {
        var source = ModelRepositoryScanner.ScanModel(folder);
        return backend.Load(source.Versions[0], source.Config);
    }

    private static InputTensor Bytes(string name, IEnumerable<byte[]> rows)
    {
        var list = rows.ToList();
        return new InputTensor(name, DataType.Bytes, [list.Count, 1], BytesTensor.Encode(list));
    }

    private static byte[] Jpeg(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)x, (byte)y, (byte)(x ^ y)));
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        return image.Encode(SKEncodedImageFormat.Jpeg, 90).ToArray();
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "InferenceGrpc.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("no InferenceGrpc.sln above " + AppContext.BaseDirectory);
    }
}
