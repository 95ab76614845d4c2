using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using static InferenceGrpc.Core.Tests.Fakes.Specs;

namespace InferenceGrpc.Core.Tests.Models;

public sealed class SignatureResolverTests
{
    private const int DefaultMaxBatch = 8;

    private static ModelConfig Config(int? maxBatchSize = null, IReadOnlyList<TensorSpec>? inputs = null, IReadOnlyList<TensorSpec>? outputs = null) =>
        new() { Name = "m", MaxBatchSize = maxBatchSize, Inputs = inputs, Outputs = outputs };

    private static readonly ModelGraph DynamicGraph = Graph(
        [Tensor("IN", DataType.Fp32, -1, -1, 3), Tensor("MASK", DataType.Bool, -1, 4)],
        [Tensor("OUT", DataType.Fp32, -1, 5), Tensor("SCORE", DataType.Fp64, -1)]);

    private static ModelConfigException Fails(ModelConfig config, ModelGraph graph) =>
        Assert.Throws<ModelConfigException>(() => SignatureResolver.Resolve(config, graph, DefaultMaxBatch));

    [Fact]
    public void Resolve_NoMaxBatchAndDynamicFirstDims_UsesDefaultMaxBatch()
    {
        var signature = SignatureResolver.Resolve(Config(), DynamicGraph, DefaultMaxBatch);

        Assert.Equal(DefaultMaxBatch, signature.MaxBatchSize);
    }

    [Fact]
    public void Resolve_NoMaxBatchAndDynamicFirstDims_DropsBatchDimFromEveryTensor()
    {
        var signature = SignatureResolver.Resolve(Config(), DynamicGraph, DefaultMaxBatch);

        Assert.Equal(
            [("IN", DataType.Fp32, "[-1,3]"), ("MASK", DataType.Bool, "[4]")],
            signature.Inputs.Select(t => (t.Name, t.DataType, TensorShape.Format([.. t.Dims]))));
        Assert.Equal(
            [("OUT", DataType.Fp32, "[5]"), ("SCORE", DataType.Fp64, "[]")],
            signature.Outputs.Select(t => (t.Name, t.DataType, TensorShape.Format([.. t.Dims]))));
    }

    [Fact]
    public void Resolve_NoMaxBatchAndFixedFirstDim_DoesNotBatch()
    {
        var graph = Graph([Tensor("IN", DataType.Fp32, 1, 3)], [Tensor("OUT", DataType.Fp32, -1, 3)]);

        var signature = SignatureResolver.Resolve(Config(), graph, DefaultMaxBatch);

        Assert.Equal(0, signature.MaxBatchSize);
        Assert.Equal([1L, 3], Assert.Single(signature.Inputs).Dims);
        Assert.Equal([-1L, 3], Assert.Single(signature.Outputs).Dims);
    }

    [Fact]
    public void Resolve_NoMaxBatchAndOnlyAnOutputFixed_DoesNotBatch()
    {
        var graph = Graph([Tensor("IN", DataType.Fp32, -1, 3)], [Tensor("OUT", DataType.Fp32, 1)]);

        Assert.Equal(0, SignatureResolver.Resolve(Config(), graph, DefaultMaxBatch).MaxBatchSize);
    }

    [Fact]
    public void Resolve_NoMaxBatchAndScalarInput_DoesNotBatch()
    {
        var graph = Graph([Tensor("IN", DataType.Fp32)], [Tensor("OUT", DataType.Fp32, -1)]);

        Assert.Equal(0, SignatureResolver.Resolve(Config(), graph, DefaultMaxBatch).MaxBatchSize);
    }

    [Fact]
    public void Resolve_ConfiguredMaxBatchZeroWithDynamicFirstDim_KeepsFullDims()
    {
        var signature = SignatureResolver.Resolve(Config(maxBatchSize: 0), DynamicGraph, DefaultMaxBatch);

        Assert.Equal(0, signature.MaxBatchSize);
        Assert.Equal([-1L, -1, 3], signature.Inputs[0].Dims);
    }

    [Fact]
    public void Resolve_ConfiguredMaxBatch_OverridesDefault()
    {
        Assert.Equal(32, SignatureResolver.Resolve(Config(maxBatchSize: 32), DynamicGraph, DefaultMaxBatch).MaxBatchSize);
    }

    [Fact]
    public void Resolve_ConfiguredMaxBatchWithFixedFirstDim_ThrowsNamingTheTensor()
    {
        var graph = Graph([Tensor("IN", DataType.Fp32, -1, 3)], [Tensor("OUT", DataType.Fp32, 1, 3)]);

        var ex = Fails(Config(maxBatchSize: 4), graph);

        Assert.Contains("'OUT'", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'IN'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ConfiguredMaxBatchWithScalarInput_Throws()
    {
        var graph = Graph([Tensor("IN", DataType.Fp32)], [Tensor("OUT", DataType.Fp32, -1)]);

        var ex = Fails(Config(maxBatchSize: 4), graph);

        Assert.Contains("'IN'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ConfigDimsNarrowGraphDynamic_UsesConfiguredSize()
    {
        var config = Config(maxBatchSize: 4, inputs: [Tensor("IN", DataType.Fp32, 7, 3), Tensor("MASK", DataType.Bool, 4)]);

        var signature = SignatureResolver.Resolve(config, DynamicGraph, DefaultMaxBatch);

        Assert.Equal([7L, 3], signature.Inputs[0].Dims);
    }

    [Fact]
    public void Resolve_ConfigDynamicWhereGraphFixed_UsesGraphSize()
    {
        var config = Config(maxBatchSize: 4, inputs: [Tensor("IN", DataType.Fp32, -1, -1), Tensor("MASK", DataType.Bool, -1)]);

        var signature = SignatureResolver.Resolve(config, DynamicGraph, DefaultMaxBatch);

        Assert.Equal([-1L, 3], signature.Inputs[0].Dims);
        Assert.Equal([4L], signature.Inputs[1].Dims);
    }

    [Fact]
    public void Resolve_ConfiguredInputs_KeepConfiguredOrder()
    {
        var config = Config(inputs: [Tensor("MASK", DataType.Bool, 4), Tensor("IN", DataType.Fp32, -1, 3)]);

        var signature = SignatureResolver.Resolve(config, DynamicGraph, DefaultMaxBatch);

        Assert.Equal(["MASK", "IN"], signature.Inputs.Select(t => t.Name));
    }

    [Fact]
    public void Resolve_ConfigDimDisagreesWithGraphFixedDim_Throws()
    {
        var config = Config(inputs: [Tensor("IN", DataType.Fp32, -1, 4), Tensor("MASK", DataType.Bool, 4)]);

        var ex = Fails(config, DynamicGraph);

        Assert.Contains("'IN'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ConfigRankDiffersFromGraph_Throws()
    {
        // With batching, IN's dims after the batch are [-1,3]: a rank-3 config does not fit.
        var config = Config(inputs: [Tensor("IN", DataType.Fp32, -1, -1, 3), Tensor("MASK", DataType.Bool, 4)]);

        var ex = Fails(config, DynamicGraph);

        Assert.Contains("'IN'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ConfigDataTypeDiffersFromGraph_ThrowsNamingBothTypes()
    {
        var config = Config(inputs: [Tensor("IN", DataType.Fp16, -1, 3), Tensor("MASK", DataType.Bool, 4)]);

        var ex = Fails(config, DynamicGraph);

        Assert.Contains("'IN'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("TYPE_FP16", ex.Message, StringComparison.Ordinal);
        Assert.Contains("TYPE_FP32", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_UnknownConfiguredInput_Throws()
    {
        var config = Config(inputs: [Tensor("IN", DataType.Fp32, -1, 3), Tensor("MASK", DataType.Bool, 4), Tensor("GHOST", DataType.Fp32, 1)]);

        var ex = Fails(config, DynamicGraph);

        Assert.Contains("'GHOST'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_GraphInputMissingFromConfig_Throws()
    {
        var config = Config(inputs: [Tensor("IN", DataType.Fp32, -1, 3)]);

        var ex = Fails(config, DynamicGraph);

        Assert.Contains("'MASK'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_InputConfiguredTwice_Throws()
    {
        var config = Config(inputs: [Tensor("IN", DataType.Fp32, -1, 3), Tensor("MASK", DataType.Bool, 4), Tensor("IN", DataType.Fp32, -1, 3)]);

        var ex = Fails(config, DynamicGraph);

        Assert.Contains("'IN'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ConfiguredOutputsSubset_ServesOnlyThose()
    {
        var config = Config(outputs: [Tensor("SCORE", DataType.Fp64)]);

        var signature = SignatureResolver.Resolve(config, DynamicGraph, DefaultMaxBatch);

        Assert.Equal(["SCORE"], signature.OutputNames);
    }

    [Fact]
    public void Resolve_UnknownConfiguredOutput_Throws()
    {
        var config = Config(outputs: [Tensor("NOPE", DataType.Fp32, 5)]);

        var ex = Fails(config, DynamicGraph);

        Assert.Contains("'NOPE'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_SeveralProblems_ReportsAllInOneMessage()
    {
        var config = Config(
            inputs: [Tensor("IN", DataType.Int8, -1, 3), Tensor("GHOST", DataType.Fp32, 1)],
            outputs: [Tensor("OUT", DataType.Fp32, 6)]);

        var ex = Fails(config, DynamicGraph);

        Assert.Contains("'m'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'IN'", ex.Message, StringComparison.Ordinal);     // datatype
        Assert.Contains("'GHOST'", ex.Message, StringComparison.Ordinal);  // not in the graph
        Assert.Contains("'MASK'", ex.Message, StringComparison.Ordinal);   // not configured
        Assert.Contains("'OUT'", ex.Message, StringComparison.Ordinal);    // dimension
    }
}
