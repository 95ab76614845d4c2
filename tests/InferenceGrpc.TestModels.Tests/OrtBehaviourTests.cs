using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace InferenceGrpc.TestModels.Tests;

/// <summary>
/// Pins down ONNX Runtime 1.31 behaviours that a server built on it must know about,
/// observed on the generated models (CPU provider).
/// </summary>
public sealed class OrtBehaviourTests
{
    [Fact]
    public void SharedSymbolicDimIsNotEnforcedAcrossInputs()
    {
        // Both AddSub inputs declare [batch, 2], yet ORT accepts batch 1 and batch 2 together
        // and broadcasts: a server must check cross-input dims itself if it cares.
        using var session = Ort.Load(TestModelFactory.AddSub(shape: [null, 2]));
        using var in0 = OrtValue.CreateTensorValueFromMemory(new[] { 1f, 2f }, [1, 2]);
        using var in1 = OrtValue.CreateTensorValueFromMemory(new[] { 10f, 20f, 30f, 40f }, [2, 2]);
        using var outputs = Ort.Run(session, [("INPUT0", in0), ("INPUT1", in1)], "OUTPUT0");
        Assert.Equal([2, 2], outputs[0].GetTensorTypeAndShape().Shape);
        Assert.Equal([11f, 22f, 31f, 42f], outputs[0].GetTensorDataAsSpan<float>().ToArray());
    }

    [Fact]
    public void MissingInputFailsOnlyWhenAKernelRuns()
    {
        // No up-front "missing input" check: the run fails inside the first kernel that needs it
        // (ORT also logs it at ERROR level; the tests load sessions with FATAL to keep output clean).
        using var session = Ort.Load(TestModelFactory.AddSub(shape: [null, 2]));
        using var in0 = OrtValue.CreateTensorValueFromMemory(new[] { 1f, 2f }, [1, 2]);
        var ex = Assert.Throws<OnnxRuntimeException>(() => Ort.Run(session, [("INPUT0", in0)], "OUTPUT0").Dispose());
        Assert.Contains("Missing Input: INPUT1", ex.Message);
    }

    [Fact]
    public void WrongTypeAndRankAreRejectedUpFront()
    {
        using var session = Ort.Load(TestModelFactory.Identity(TensorElementKind.Float, [null, 2]));
        using var int64 = OrtValue.CreateTensorValueFromMemory(new long[2], [1, 2]);
        var ex = Assert.Throws<OnnxRuntimeException>(() => Ort.Run(session, [("INPUT0", int64)], "OUTPUT0").Dispose());
        Assert.Contains("Unexpected input data type", ex.Message);

        using var rank3 = OrtValue.CreateTensorValueFromMemory(new float[2], [1, 1, 2]);
        ex = Assert.Throws<OnnxRuntimeException>(() => Ort.Run(session, [("INPUT0", rank3)], "OUTPUT0").Dispose());
        Assert.Contains("Invalid rank", ex.Message);
    }

    [Fact]
    public void ZeroBatchIsAccepted()
    {
        using var session = Ort.Load(TestModelFactory.AddSub(shape: [null, 2]));
        using var empty = OrtValue.CreateTensorValueFromMemory(Array.Empty<float>(), [0, 2]);
        using var outputs = Ort.Run(session, [("INPUT0", empty), ("INPUT1", empty)], "OUTPUT0", "OUTPUT1");
        Assert.Equal([0, 2], outputs[0].GetTensorTypeAndShape().Shape);
        Assert.Equal(TensorElementType.Float, outputs[1].GetTensorTypeAndShape().ElementDataType);
    }

    [Fact]
    public void CorruptAndEmptyModelsGiveDistinctErrors()
    {
        var corrupt = Assert.Throws<OnnxRuntimeException>(() => Ort.Load(TestModelFactory.Corrupt()).Dispose());
        Assert.Contains("InvalidProtobuf", corrupt.Message);
        var empty = Assert.Throws<OnnxRuntimeException>(() => Ort.Load([]).Dispose());
        Assert.Contains("No graph", empty.Message);
    }
}
