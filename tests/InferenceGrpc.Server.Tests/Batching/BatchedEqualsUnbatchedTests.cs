using System.Runtime.InteropServices;
using Google.Protobuf;
using Inference;
using InferenceGrpc.Server.Tests.Infrastructure;
using Microsoft.ML.OnnxRuntime;

namespace InferenceGrpc.Server.Tests.Batching;

/// <summary>
/// Hundreds of concurrent callers against the real bundled models: the dynamic batcher must coalesce them, and
/// every caller must get exactly the rows ONNX Runtime computes for its own input run alone.
/// </summary>
public sealed class BatchedEqualsUnbatchedTests(BatchedEqualsUnbatchedTests.Fixture fixture) : IClassFixture<BatchedEqualsUnbatchedTests.Fixture>
{
    private const string TextDirection = "text_direction";
    private const string MiniLm = "minilm";

    public sealed class Fixture : ServerFixtureBase
    {
        private protected override void Populate(TestRepository repository)
        {
            repository.CopyBundledModel(TextDirection);
            repository.CopyModelFolder(Path.Combine(TestRepository.SourceRoot, "artifacts", "models", MiniLm), MiniLm);
        }
    }

    [Fact]
    public async Task ModelInfer_TextDirection256ConcurrentCallers_EachGetsItsUnbatchedRows()
    {
        const int callers = 256;
        var random = new Random(20261127);
        var batches = Enumerable.Range(0, callers).Select(_ => random.Next(1, 4)).ToArray();
        var inputs = batches.Select(b => RandomFloats(random, b * 3 * 48 * 192)).ToArray();

        var responses = await Task.WhenAll(Enumerable.Range(0, callers).Select(i => Task.Run(async () =>
        {
            var request = Requests.For(TextDirection, id: i.ToString()).WithRaw("x", "FP32", [batches[i], 3, 48, 192], Bytes(inputs[i]));
            return await fixture.Client.ModelInferAsync(request);
        })));

        using var session = Session(Path.Combine(TestRepository.SourceRoot, "models", TextDirection, "1", "model.onnx"));
        for (var i = 0; i < callers; i++)
        {
            var expected = RunAlone(session, [("x", inputs[i], [batches[i], 3, 48, 192])], "softmax_0.tmp_0");
            Assert.Equal(i.ToString(), responses[i].Id);
            Assert.Equal([batches[i], 2], responses[i].Outputs[0].Shape);
            AssertClose(expected, Floats(responses[i].RawOutputContents[0]), 1e-5f, $"caller {i}");
        }

        // The test must fail if the batcher never coalesced anything.
        Assert.Contains(responses, r => r.Parameters["batch_size"].Int64Param > 3);
    }

    [Fact]
    public async Task ModelInfer_MiniLmMixedSequenceLengths_BatchesBySequenceAndMatchesUnbatched()
    {
        const int callers = 96;
        var random = new Random(7);
        var lengths = Enumerable.Range(0, callers).Select(_ => new[] { 8, 16, 24 }[random.Next(3)]).ToArray();
        var ids = lengths.Select(n => Enumerable.Range(0, n).Select(_ => (long)random.Next(1000, 29000)).ToArray()).ToArray();

        Task<ModelInferResponse[]> SendAll() => Task.WhenAll(Enumerable.Range(0, callers).Select(i => Task.Run(async () =>
        {
            var n = lengths[i];
            var request = Requests.For(MiniLm, id: i.ToString())
                .WithRaw("input_ids", "INT64", [1, n], Bytes(ids[i]))
                .WithRaw("attention_mask", "INT64", [1, n], Bytes(Enumerable.Repeat(1L, n).ToArray()))
                .WithRaw("token_type_ids", "INT64", [1, n], Bytes(new long[n]));
            return await fixture.Client.ModelInferAsync(request);
        })));

        var responses = await SendAll();

        using var session = Session(Path.Combine(TestRepository.SourceRoot, "artifacts", "models", MiniLm, "1", "model.onnx"));
        for (var i = 0; i < callers; i++)
        {
            var n = lengths[i];
            var expected = RunAlone(session,
                [("input_ids", ids[i], [1, n]), ("attention_mask", Enumerable.Repeat(1L, n).ToArray(), [1, n]), ("token_type_ids", new long[n], [1, n])],
                "last_hidden_state");
            var hidden = responses[i].Outputs.Single(o => o.Name == "last_hidden_state");
            Assert.Equal([1, n, 384], hidden.Shape);
            var index = responses[i].Outputs.IndexOf(hidden);
            AssertClose(expected, Floats(responses[i].RawOutputContents[index]), 1e-4f, $"caller {i} (sequence {n})");
        }

        // The test must fail if the batcher never coalesced anything. On a loaded CI machine one wave of callers can
        // trickle in so slowly that every request runs alone, so a few more waves are sent before concluding that.
        var coalesced = responses.Any(r => r.Parameters["batch_size"].Int64Param > 1);
        for (var wave = 1; wave < 5 && !coalesced; wave++)
        {
            coalesced = (await SendAll()).Any(r => r.Parameters["batch_size"].Int64Param > 1);
        }

        Assert.True(coalesced, $"no request of 5 waves of {callers} concurrent callers ran in a batch of more than one");
    }

    private static InferenceSession Session(string path)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        return new InferenceSession(path, options);
    }

    private static float[] RunAlone<T>(InferenceSession session, (string Name, T[] Data, long[] Shape)[] inputs, string output)
        where T : unmanaged
    {
        var values = inputs.Select(i => OrtValue.CreateTensorValueFromMemory(i.Data, i.Shape)).ToArray();
        try
        {
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, inputs.Select(i => i.Name).ToArray(), values, [output]);
            return results[0].GetTensorDataAsSpan<float>().ToArray();
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance, string who)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            if (Math.Abs(expected[i] - actual[i]) > tolerance)
            {
                Assert.Fail($"{who}: element {i} is {actual[i]}, expected {expected[i]} (±{tolerance})");
            }
        }
    }

    private static float[] RandomFloats(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

    private static byte[] Bytes<T>(T[] values)
        where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static float[] Floats(ByteString raw) => MemoryMarshal.Cast<byte, float>(raw.Span).ToArray();
}
