using System.Text;
using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.OnnxRuntime.Tests.Infrastructure;
using InferenceGrpc.TestModels;

namespace InferenceGrpc.OnnxRuntime.Tests.Execution;

public sealed class OnnxModelRunnerTests : IDisposable
{
    private readonly ModelDirectory _models = new();
    private readonly RecordingLogger<OnnxModelBackend> _logger = new();

    /// <summary>Every element kind on both paths: the IOBinding runner must give what the OrtValue runner gives.</summary>
    public static TheoryData<TensorElementKind, RunPath> AllKindsOnBothPaths()
    {
        var data = new TheoryData<TensorElementKind, RunPath>();
        foreach (var kind in TestModelFactory.AllElementKinds)
        {
            data.Add(kind, RunPath.OrtValues);
            data.Add(kind, RunPath.IoBinding);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllKindsOnBothPaths))]
    public void Run_IdentityOfEveryKind_ReturnsTheSameBytesAndShape(TensorElementKind kind, RunPath path)
    {
        // Arrange
        using var runner = Load(path, TestModelFactory.Identity(kind, [null, 3]));
        var type = TensorData.ToDataType(kind);
        var bytes = TensorData.Sample(type, 6);

        // Act
        var result = runner.Run([TensorData.Input("INPUT0", type, [2, 3], bytes)], ["OUTPUT0"]);

        // Assert
        using (result.Owner)
        {
            var output = Assert.Single(result.Outputs);
            Assert.Equal("OUTPUT0", output.Name);
            Assert.Equal(type, output.DataType);
            Assert.Equal([2L, 3L], output.Shape);
            Assert.Equal(bytes, output.Data.ToArray());
        }
    }

    [Theory]
    [InlineData(RunPath.OrtValues)]
    [InlineData(RunPath.IoBinding)]
    public void Run_StringIdentity_KeepsMultiByteAndEmptyStrings(RunPath path)
    {
        using var runner = Load(path, TestModelFactory.Identity(TensorElementKind.String, [null]));
        string[] values = ["", "naïve", "中文", "🙂", ""];
        var bytes = BytesTensor.Encode(values.Select(Encoding.UTF8.GetBytes));

        var result = runner.Run([TensorData.Input("INPUT0", DataType.Bytes, [values.Length], bytes)], ["OUTPUT0"]);

        using (result.Owner)
        {
            var output = Assert.Single(result.Outputs);
            Assert.Equal(bytes, output.Data.ToArray());
            var decoded = new List<string>();
            foreach (var element in BytesTensor.Enumerate(output.Data.Span))
            {
                decoded.Add(Encoding.UTF8.GetString(element));
            }

            Assert.Equal(values, decoded);
        }
    }

    [Theory]
    [InlineData(RunPath.OrtValues)]
    [InlineData(RunPath.IoBinding)]
    public void Run_InvalidUtf8String_IsInvalidArgumentNamingInputAndElement(RunPath path)
    {
        using var runner = Load(path, TestModelFactory.Identity(TensorElementKind.String, [null]));
        var bytes = BytesTensor.Encode([Encoding.UTF8.GetBytes("fine"), [0xC3, 0x28]]);

        var ex = Assert.Throws<InferenceException>(() => runner.Run([TensorData.Input("INPUT0", DataType.Bytes, [2], bytes)], ["OUTPUT0"]));

        Assert.Equal(InferenceErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("'INPUT0'", ex.Message);
        Assert.Contains("element 1", ex.Message);
    }

    [Theory]
    [InlineData(RunPath.OrtValues)]
    [InlineData(RunPath.IoBinding)]
    public void Run_AddSub_ComputesSumAndDifference(RunPath path)
    {
        using var runner = Load(path, TestModelFactory.AddSub(TensorElementKind.Float, [null, 4]));
        var a = TensorData.Floats(1, 2, 3, 4, 5, 6, 7, 8);
        var b = TensorData.Floats(10, 20, 30, 40, 0.5f, 0.25f, -1, -2);

        var result = Run2(runner, a, b, [2, 4], ["OUTPUT0", "OUTPUT1"]);

        using (result.Owner)
        {
            Assert.Equal([11f, 22f, 33f, 44f, 5.5f, 6.25f, 6f, 6f], TensorData.ToFloats(result.Outputs[0].Data));
            Assert.Equal([-9f, -18f, -27f, -36f, 4.5f, 5.75f, 8f, 10f], TensorData.ToFloats(result.Outputs[1].Data));
            Assert.All(result.Outputs, o => Assert.Equal([2L, 4L], o.Shape));
        }
    }

    [Theory]
    [InlineData(RunPath.OrtValues)]
    [InlineData(RunPath.IoBinding)]
    public void Run_OutputsRequestedInReverse_AreReturnedInThatOrder(RunPath path)
    {
        using var runner = Load(path, TestModelFactory.AddSub(TensorElementKind.Float, [null, 2]));

        var result = Run2(runner, TensorData.Floats(5, 5), TensorData.Floats(2, 3), [1, 2], ["OUTPUT1", "OUTPUT0"]);

        using (result.Owner)
        {
            Assert.Equal(["OUTPUT1", "OUTPUT0"], result.Outputs.Select(o => o.Name));
            Assert.Equal([3f, 2f], TensorData.ToFloats(result.Outputs[0].Data));
            Assert.Equal([7f, 8f], TensorData.ToFloats(result.Outputs[1].Data));
        }
    }

    [Theory]
    [InlineData(RunPath.OrtValues)]
    [InlineData(RunPath.IoBinding)]
    public void Run_SubsetOfOutputs_ReturnsOnlyThose(RunPath path)
    {
        using var runner = Load(path, TestModelFactory.AddSub(TensorElementKind.Float, [null, 2]));

        var result = Run2(runner, TensorData.Floats(5, 5), TensorData.Floats(2, 3), [1, 2], ["OUTPUT1"]);

        using (result.Owner)
        {
            var output = Assert.Single(result.Outputs);
            Assert.Equal("OUTPUT1", output.Name);
            Assert.Equal([3f, 2f], TensorData.ToFloats(output.Data));
        }
    }

    [Theory]
    [InlineData(RunPath.OrtValues)]
    [InlineData(RunPath.IoBinding)]
    public void Run_ZeroBatch_ReturnsEmptyOutputOfThatShape(RunPath path)
    {
        using var runner = Load(path, TestModelFactory.Identity(TensorElementKind.Float, [null, 3]));

        var result = runner.Run([TensorData.Input("INPUT0", DataType.Fp32, [0, 3], [])], ["OUTPUT0"]);

        using (result.Owner)
        {
            var output = Assert.Single(result.Outputs);
            Assert.Equal([0L, 3L], output.Shape);
            Assert.True(output.Data.IsEmpty);
        }
    }

    [Theory]
    [InlineData(RunPath.OrtValues)]
    [InlineData(RunPath.IoBinding)]
    public void Dispose_ResultTwice_IsHarmlessAndDataIsThenUnreadable(RunPath path)
    {
        using var runner = Load(path, TestModelFactory.Scale(3f));
        var result = runner.Run([TensorData.Input("INPUT0", DataType.Fp32, [1, 4], TensorData.Floats(1, 2, 3, 4))], ["OUTPUT0"]);
        var data = result.Outputs[0].Data;
        Assert.Equal([3f, 6f, 9f, 12f], TensorData.ToFloats(data));

        result.Owner!.Dispose();
        result.Owner.Dispose();

        // The bytes lived in ORT's memory, which is gone: reading must fail loudly, not return garbage.
        Assert.Throws<ObjectDisposedException>(() => data.Span.Length);
    }

    [Theory]
    [InlineData(RunPath.OrtValues)]
    [InlineData(RunPath.IoBinding)]
    public void Dispose_StringResultTwice_IsHarmless(RunPath path)
    {
        using var runner = Load(path, TestModelFactory.Identity(TensorElementKind.String, [null]));
        var result = runner.Run([TensorData.Input("INPUT0", DataType.Bytes, [3], TensorData.Sample(DataType.Bytes, 3))], ["OUTPUT0"]);

        result.Owner!.Dispose();
        result.Owner.Dispose();
    }

    [Theory]
    [InlineData(RunPath.OrtValues)]
    [InlineData(RunPath.IoBinding)]
    public void Run_OnnxRuntimeRejectsInput_IsInternalWithoutInternalsAndLogged(RunPath path)
    {
        // Core validates datatypes before a run; an int64 input reaching a float model stands in for any runtime failure.
        using var runner = Load(path, TestModelFactory.Identity(TensorElementKind.Float, [null, 2]));

        var ex = Assert.Throws<InferenceException>(() => runner.Run([TensorData.Input("INPUT0", DataType.Int64, [1, 2], new byte[16])], ["OUTPUT0"]));

        Assert.Equal(InferenceErrorKind.Internal, ex.Kind);
        Assert.DoesNotContain("ErrorCode", ex.Message);
        Assert.DoesNotContain("Unexpected input data type", ex.Message);
        Assert.Equal(1, _logger.Count("RunFailed"));
    }

    [Theory]
    [InlineData(RunPath.OrtValues)]
    [InlineData(RunPath.IoBinding)]
    public void Run_ManyThreadsOnTheRealModel_MatchASingleRun(RunPath path)
    {
        // Arrange: one batch of 4 seeded images; the single run is the reference.
        using var runner = Backends.For(path, _logger).Load(ModelDirectory.TextDirection, ConfigFor(path));
        var random = new Random(42);
        var pixels = new float[4 * 3 * 48 * 192];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (float)random.NextDouble();
        }

        InputTensor[] inputs = [TensorData.Input("x", DataType.Fp32, [4, 3, 48, 192], TensorData.Floats(pixels))];
        string[] outputs = ["softmax_0.tmp_0"];
        byte[] expected;
        var reference = runner.Run(inputs, outputs);
        using (reference.Owner)
        {
            Assert.Equal([4L, 2L], reference.Outputs[0].Shape);
            expected = reference.Outputs[0].Data.ToArray();
        }

        // Act: 8 threads x 50 runs, started together.
        const int threads = 8;
        const int runsPerThread = 50;
        using var start = new Barrier(threads);
        var mismatches = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                for (var r = 0; r < runsPerThread; r++)
                {
                    var result = runner.Run(inputs, outputs);
                    using (result.Owner)
                    {
                        if (!result.Outputs[0].Data.Span.SequenceEqual(expected))
                        {
                            Interlocked.Increment(ref mismatches);
                        }
                    }
                }
            }
            catch (Exception ex)
            {
                // An exception on a bare thread would end the test host; report it as a failure instead.
                failures.Enqueue(ex);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        // Assert
        Assert.Empty(failures);
        Assert.Equal(0, mismatches);
    }

    [Theory]
    [InlineData(RunPath.OrtValues)]
    [InlineData(RunPath.IoBinding)]
    public void Run_ResultStillHeld_IsNotOverwrittenByTheNextRun(RunPath path)
    {
        // The IOBinding runner reuses its binding: outputs handed out must not be the next run's buffers.
        using var runner = Load(path, TestModelFactory.Scale(2f));
        var first = runner.Run([TensorData.Input("INPUT0", DataType.Fp32, [1, 4], TensorData.Floats(1, 2, 3, 4))], ["OUTPUT0"]);

        var second = runner.Run([TensorData.Input("INPUT0", DataType.Fp32, [1, 4], TensorData.Floats(5, 6, 7, 8))], ["OUTPUT0"]);

        using (first.Owner)
        using (second.Owner)
        {
            Assert.Equal([2f, 4f, 6f, 8f], TensorData.ToFloats(first.Outputs[0].Data));
            Assert.Equal([10f, 12f, 14f, 16f], TensorData.ToFloats(second.Outputs[0].Data));
        }
    }

    [Fact]
    public void Run_RealModelOnBothPaths_GivesTheSameOutputs()
    {
        // Arrange: the bundled classifier, a batch of 3 seeded images, once per path.
        using var values = Backends.For(RunPath.OrtValues).Load(ModelDirectory.TextDirection, ConfigFor(RunPath.OrtValues));
        using var bound = Backends.For(RunPath.IoBinding).Load(ModelDirectory.TextDirection, ConfigFor(RunPath.IoBinding));
        var random = new Random(7);
        var pixels = new float[3 * 3 * 48 * 192];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (float)random.NextDouble();
        }

        InputTensor[] inputs = [TensorData.Input("x", DataType.Fp32, [3, 3, 48, 192], TensorData.Floats(pixels))];

        // Act
        var expected = values.Run(inputs, ["softmax_0.tmp_0"]);
        var actual = bound.Run(inputs, ["softmax_0.tmp_0"]);

        // Assert: the thread counts differ (CPU share vs 1), so allow float rounding, nothing more.
        using (expected.Owner)
        using (actual.Owner)
        {
            Assert.Equal(expected.Outputs[0].Shape, actual.Outputs[0].Shape);
            var e = TensorData.ToFloats(expected.Outputs[0].Data);
            var a = TensorData.ToFloats(actual.Outputs[0].Data);
            Assert.Equal(e.Length, a.Length);
            for (var i = 0; i < e.Length; i++)
            {
                Assert.Equal(e[i], a[i], 1e-5f);
            }
        }
    }

    public void Dispose() => _models.Dispose();

    private IModelRunner Load(RunPath path, byte[] model) => Backends.For(path, _logger).Load(_models.Write(model), ConfigFor(path));

    // KIND_GPU reaches the CUDA stand-in, hence the IOBinding runner; KIND_CPU the OrtValue runner.
    private static ModelConfig ConfigFor(RunPath path) =>
        Backends.Config(path == RunPath.IoBinding ? ExecutionKind.Gpu : ExecutionKind.Cpu);

    private static RunResult Run2(IModelRunner runner, byte[] input0, byte[] input1, long[] shape, string[] outputs) =>
        runner.Run(
            [TensorData.Input("INPUT0", DataType.Fp32, shape, input0), TensorData.Input("INPUT1", DataType.Fp32, shape, input1)],
            outputs);
}
