using System.Runtime.InteropServices;
using InferenceGrpc.Core.Classification;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.Core.Tests.Ensembles;
using static InferenceGrpc.Core.Tests.Fakes.Specs;
using static InferenceGrpc.Core.Tests.Fakes.TensorValues;

namespace InferenceGrpc.Core.Tests.Classification;

public sealed class ClassifierTests
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Labels =
        new Dictionary<string, IReadOnlyList<string>> { ["PROB"] = ["zero", "one", "two"] };

    private static ModelSignature Signature(int maxBatchSize) => Fakes.Specs.Signature(maxBatchSize,
        [Tensor("X", DataType.Fp32, 3)], [Tensor("PROB", DataType.Fp32, 3), Tensor("NAME", DataType.Bytes, 1)]);

    private static InferenceRequest Request(Dictionary<string, int> classifications) =>
        new() { ModelName = "m", Inputs = [], RequestedOutputs = [.. classifications.Keys], Classifications = classifications };

    private static InferenceResult Result(CountingOwner owner, long[] shape, params float[] values) => new("m", 1,
        [new OutputTensor("PROB", DataType.Fp32, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray())], owner);

    [Fact]
    public void Apply_BatchedOutput_IsBytesOfShapeBatchByK()
    {
        using var result = Classifier.Apply(Result(new CountingOwner(), [2, 3], 0.1f, 0.7f, 0.2f, 0.5f, 0.3f, 0.2f),
            Request(new() { ["PROB"] = 2 }), Signature(8), Labels);

        var output = Assert.Single(result.Outputs);
        Assert.Equal(DataType.Bytes, output.DataType);
        Assert.Equal([2L, 2], output.Shape);
        Assert.Equal(["0.700000:1:one", "0.200000:2:two", "0.500000:0:zero", "0.300000:1:one"], Strings(output));
    }

    [Fact]
    public void Apply_UnbatchedOutput_IsShapeK()
    {
        using var result = Classifier.Apply(Result(new CountingOwner(), [3], 0.1f, 0.7f, 0.2f),
            Request(new() { ["PROB"] = 5 }), Signature(0), Labels);

        Assert.Equal([3L], result.Outputs[0].Shape);   // k capped at the classes
    }

    [Fact]
    public void Apply_NoLabelsFile_IsScoreAndIndex()
    {
        using var result = Classifier.Apply(Result(new CountingOwner(), [1, 3], 0.1f, 0.7f, 0.2f),
            Request(new() { ["PROB"] = 1 }), Signature(8), new Dictionary<string, IReadOnlyList<string>>());

        Assert.Equal(["0.700000:1"], Strings(result.Outputs[0]));
    }

    [Fact]
    public void Apply_DisposingTheClassifiedResult_DisposesTheModelsResult()
    {
        var owner = new CountingOwner();
        var result = Classifier.Apply(Result(owner, [1, 3], 0.1f, 0.7f, 0.2f), Request(new() { ["PROB"] = 1 }), Signature(8), Labels);

        result.Dispose();

        Assert.Equal(1, owner.DisposeCount);
    }

    [Fact]
    public void Apply_NoClassification_ReturnsTheResultItself()
    {
        using var result = Result(new CountingOwner(), [1, 3], 0.1f, 0.7f, 0.2f);

        Assert.Same(result, Classifier.Apply(result, Request([]), Signature(8), Labels));
    }

    [Fact]
    public void Validate_BytesOutput_IsInvalidArgumentNamingTheOutput()
    {
        var ex = Assert.Throws<InferenceException>(() => Classifier.Validate(Request(new() { ["NAME"] = 1 }), Signature(8), "m"));

        Assert.Equal(InferenceErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("requested output 'NAME'", ex.Message);
        Assert.Contains("the output is BYTES", ex.Message);
    }
}
