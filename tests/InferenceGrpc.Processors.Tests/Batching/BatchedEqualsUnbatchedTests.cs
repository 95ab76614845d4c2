using InferenceGrpc.Core.Batching;
using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.Processors.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using static InferenceGrpc.Processors.Tests.Infrastructure.TensorValues;

namespace InferenceGrpc.Processors.Tests.Batching;

/// <summary>
/// Processors under the real <see cref="ModelScheduler"/>: requests held behind a busy instance run as one batch, and
/// each caller gets what the processor computes for its request alone.
/// </summary>
public sealed class BatchedEqualsUnbatchedTests
{
    private static async Task<InferenceResult[]> RunBatchedAsync(string name, IModelRunner processor, IReadOnlyList<InputTensor> first, IReadOnlyList<IReadOnlyList<InputTensor>> rest)
    {
        var config = new ModelConfig { Name = name, MaxBatchSize = 16 };
        var signature = SignatureResolver.Resolve(config, processor.Graph, 16);
        using var gated = new GatedRunner(processor);
        using var scheduler = new ModelScheduler(name, 1, signature, BatchingPolicy.Create(config, signature, new SchedulerOptions()),
            [gated], TimeProvider.System, NullLogger.Instance);

        var head = scheduler.EnqueueAsync(Request(name, first), (int)first[0].Shape[0], CancellationToken.None);
        await gated.Entered.WaitAsync(TimeSpan.FromMinutes(1));
        var queued = rest.Select(inputs => scheduler.EnqueueAsync(Request(name, inputs), (int)inputs[0].Shape[0], CancellationToken.None)).ToList();
        gated.Open();
        var results = await Task.WhenAll(queued.Prepend(head)).WaitAsync(TimeSpan.FromMinutes(1));

        // The test means nothing unless the held requests really ran together.
        Assert.Equal(rest.Sum(r => (int)r[0].Shape[0]), results[1].Timing.BatchSize);
        return results;
    }

    private static InferenceRequest Request(string name, IReadOnlyList<InputTensor> inputs) => new() { ModelName = name, Inputs = inputs };

    [Fact]
    public async Task Tokenizer_ConcurrentRequests_SameIdsAsAloneUpToPadding()
    {
        string[][] texts = [["warm-up"], ["hello world"], ["a far longer sentence, which pads the others in its batch", "x"], ["unaffable"], [""]];
        using var alone = Stages.LoadFolder(Stages.Tokenizer, SourceTree.TokenizerModel);

        var results = await RunBatchedAsync("tok", Stages.LoadFolder(Stages.Tokenizer, SourceTree.TokenizerModel),
            [Stages.Text("text", texts[0])], texts.Skip(1).Select(t => (IReadOnlyList<InputTensor>)[Stages.Text("text", t)]).ToList());

        for (var i = 0; i < texts.Length; i++)
        {
            using var batched = results[i];
            var expected = alone.Run([Stages.Text("text", texts[i])], []);
            using var _ = expected.Owner;
            var width = (int)Output(expected, "input_ids").Shape[1];
            var ids = batched.Outputs.Single(o => o.Name == "input_ids");
            var mask = Longs(batched.Outputs.Single(o => o.Name == "attention_mask"));
            var batchedWidth = (int)ids.Shape[1];
            Assert.Equal(texts[i].Length, ids.Shape[0]);
            for (var r = 0; r < texts[i].Length; r++)
            {
                var row = Longs(ids).AsSpan(r * batchedWidth, batchedWidth);
                Assert.Equal(Longs(Output(expected, "input_ids")).AsSpan(r * width, width).ToArray(), row[..width].ToArray());
                Assert.Equal(Longs(Output(expected, "attention_mask")).AsSpan(r * width, width).ToArray(), mask.AsSpan(r * batchedWidth, width).ToArray());
                Assert.All(row[width..].ToArray(), v => Assert.Equal(0, v));
                Assert.All(mask.AsSpan((r * batchedWidth) + width, batchedWidth - width).ToArray(), v => Assert.Equal(0, v));
            }
        }
    }

    [Fact]
    public async Task ImagePreprocess_ConcurrentRequests_BitForBitAsAlone()
    {
        byte[] Png(int w, int h, byte seed) => TestPng.Encode(w, h, Enumerable.Range(0, w * h * 3).Select(i => (byte)((i * 37) + seed)).ToArray());
        byte[][][] images = [[Png(9, 5, 1)], [Png(30, 12, 2), Png(4, 48, 3)], [Png(192, 48, 4)], [Png(7, 7, 5), Png(100, 20, 6), Png(1, 1, 7)]];
        using var alone = Stages.LoadFolder(Stages.Image, SourceTree.TextDirectionPreprocess);

        var results = await RunBatchedAsync("img", Stages.LoadFolder(Stages.Image, SourceTree.TextDirectionPreprocess),
            [Stages.Bytes("image", images[0])], images.Skip(1).Select(i => (IReadOnlyList<InputTensor>)[Stages.Bytes("image", i)]).ToList());

        for (var i = 0; i < images.Length; i++)
        {
            using var batched = results[i];
            var expected = alone.Run([Stages.Bytes("image", images[i])], []);
            using var _ = expected.Owner;
            Assert.Equal(Output(expected, "pixels").Shape, batched.Outputs[0].Shape);
            Assert.Equal(Floats(Output(expected, "pixels")), Floats(batched.Outputs[0]));
        }
    }

    [Fact]
    public async Task ImagePreprocess_OneUndecodableInTheBatch_OnlyItsRequestFailsNamingItsRow()
    {
        var good = TestPng.Encode(3, 3, TestPng.Solid(3, 3, 10, 20, 30));
        var requests = new List<IReadOnlyList<InputTensor>>
        {
            new[] { Stages.Bytes("image", good) },
            new[] { Stages.Bytes("image", good, "not an image"u8.ToArray()) },
            new[] { Stages.Bytes("image", good, good) },
        };
        var config = new ModelConfig { Name = "img-bad", MaxBatchSize = 16 };
        var processor = Stages.LoadFolder(Stages.Image, SourceTree.TextDirectionPreprocess);
        var signature = SignatureResolver.Resolve(config, processor.Graph, 16);
        using var gated = new GatedRunner(processor);
        using var scheduler = new ModelScheduler("img-bad", 1, signature, BatchingPolicy.Create(config, signature, new SchedulerOptions()),
            [gated], TimeProvider.System, NullLogger.Instance);

        var head = scheduler.EnqueueAsync(Request("img-bad", requests[0]), 1, CancellationToken.None);
        await gated.Entered.WaitAsync(TimeSpan.FromMinutes(1));
        var bad = scheduler.EnqueueAsync(Request("img-bad", requests[1]), 2, CancellationToken.None);
        var fine = scheduler.EnqueueAsync(Request("img-bad", requests[2]), 2, CancellationToken.None);
        gated.Open();

        using var first = await head.WaitAsync(TimeSpan.FromMinutes(1));
        using var third = await fine.WaitAsync(TimeSpan.FromMinutes(1));
        var ex = await Assert.ThrowsAsync<InferenceException>(() => bad.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.Equal(InferenceErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("input 'image' element 1", ex.Message);
        Assert.Equal([2, 3, 48, 192], third.Outputs[0].Shape);
    }

    [Fact]
    public async Task Pool_ConcurrentRequests_BitForBitAsAlone()
    {
        var random = new Random(9);
        InputTensor[] Pair(int rows) =>
        [
            Fp32("last_hidden_state", [rows, 5, 384], Enumerable.Range(0, rows * 5 * 384).Select(_ => (float)random.NextDouble() - 0.5f).ToArray()),
            Int64("attention_mask", [rows, 5], Enumerable.Range(0, rows * 5).Select(i => i % 5 < 3 + (i / 5 % 3) ? 1L : 0L).ToArray()),
        ];
        InputTensor[][] requests = [Pair(1), Pair(2), Pair(1), Pair(3)];
        using var alone = Stages.LoadFolder(Stages.Pool, SourceTree.PoolModel);

        var results = await RunBatchedAsync("pool", Stages.LoadFolder(Stages.Pool, SourceTree.PoolModel), requests[0], requests.Skip(1).ToList());

        for (var i = 0; i < requests.Length; i++)
        {
            using var batched = results[i];
            var expected = alone.Run(requests[i], []);
            using var _ = expected.Owner;
            Assert.Equal(Floats(Output(expected, "embedding")), Floats(batched.Outputs[0]));
        }
    }
}
