using BenchmarkDotNet.Attributes;
using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.OnnxRuntime;
using InferenceGrpc.Processors.Embeddings;
using InferenceGrpc.Processors.Text;
using Microsoft.Extensions.Logging.Abstractions;

namespace InferenceGrpc.Microbenchmarks;

/// <summary>
/// Text in → embedding out against token ids in → hidden states out, in one run, for a batch of 32 sentences on
/// all-MiniLM-L6-v2 (ONNX Runtime, CPU): what the tokenizer and the pooling add to the model's own time. In process,
/// without the scheduler or gRPC; needs artifacts/models/minilm (dotnet build benchmarks/InferenceGrpc.Benchmarks.Models).
/// </summary>
[MemoryDiagnoser]
public class SentencePipelineBenchmarks
{
    private IModelRunner _tokenizer = null!;
    private IModelRunner _model = null!;
    private IModelRunner _pool = null!;
    private IReadOnlyList<InputTensor> _text = null!;
    private IReadOnlyList<InputTensor> _ids = null!;

    [GlobalSetup]
    public void Setup()
    {
        var root = ProcessorBenchmarks.RepoRoot();
        _tokenizer = ProcessorBenchmarks.Load(new TextTokenizerBackend(NullLogger<TextTokenizerBackend>.Instance), Path.Combine(root, "examples", "text_embedding", "text_embedding_tokenizer"));
        _pool = ProcessorBenchmarks.Load(new EmbeddingPoolBackend(NullLogger<EmbeddingPoolBackend>.Instance), Path.Combine(root, "examples", "text_embedding", "text_embedding_pool"));
        var onnx = new OnnxModelBackend(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cpu }, NullLogger<OnnxModelBackend>.Instance);
        var minilm = ModelRepositoryScanner.ScanModel(Path.Combine(root, "artifacts", "models", "minilm"));
        _model = onnx.Load(minilm.Versions[0], minilm.Config with { InstanceGroups = [new InstanceGroup(1, ExecutionKind.Cpu, [])] });

        _text = ProcessorBenchmarks.SentenceBatch();
        var tokens = _tokenizer.Run(_text, []);
        _ids = tokens.Outputs.Select(o => new InputTensor(o.Name, o.DataType, o.Shape, o.Data.ToArray())).ToList();
        tokens.Owner?.Dispose();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _tokenizer.Dispose();
        _model.Dispose();
        _pool.Dispose();
    }

    [Benchmark(Baseline = true, Description = "token ids in: MiniLM, 32 sentences")]
    public int TensorIn()
    {
        var hidden = _model.Run(_ids, ["last_hidden_state"]);
        var length = hidden.Outputs[0].Data.Length;
        hidden.Owner?.Dispose();
        return length;
    }

    [Benchmark(Description = "text in: tokenize + MiniLM + pool, 32 sentences")]
    public int TextIn()
    {
        var tokens = _tokenizer.Run(_text, []);
        try
        {
            var hidden = _model.Run(tokens.Outputs.Select(o => new InputTensor(o.Name, o.DataType, o.Shape, o.Data)).ToList(), ["last_hidden_state"]);
            try
            {
                var mask = tokens.Outputs[1];
                var pooled = _pool.Run(
                    [new InputTensor("last_hidden_state", DataType.Fp32, hidden.Outputs[0].Shape, hidden.Outputs[0].Data), new InputTensor(mask.Name, mask.DataType, mask.Shape, mask.Data)], []);
                var length = pooled.Outputs[0].Data.Length;
                pooled.Owner?.Dispose();
                return length;
            }
            finally
            {
                hidden.Owner?.Dispose();
            }
        }
        finally
        {
            tokens.Owner?.Dispose();
        }
    }
}
