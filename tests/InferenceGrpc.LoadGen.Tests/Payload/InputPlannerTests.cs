using InferenceGrpc.LoadGen.Payload;

namespace InferenceGrpc.LoadGen.Tests.Payload;

public sealed class InputPlannerTests
{
    private static readonly Dictionary<string, long[]> NoShapes = [];

    private static readonly TensorDescriptor[] MiniLm =
    [
        new("input_ids", "INT64", [-1, -1]),
        new("attention_mask", "INT64", [-1, -1]),
        new("token_type_ids", "INT64", [-1, -1]),
    ];

    [Fact]
    public void Resolve_ServerMetadataWithFixedDims_TakesThemAndTheBatch()
    {
        var shapes = InputPlanner.Resolve("text_direction", [new("x", "FP32", [-1, 3, 48, 192])], 4, NoShapes, 128);

        Assert.Equal([4, 3, 48, 192], shapes[0]);
    }

    [Fact]
    public void Resolve_OnnxGraphOfTextDirection_UsesItsKnownCropSize()
    {
        // ONNX Runtime reports the graph as [N, 3, H, W] with N, H and W dynamic.
        var shapes = InputPlanner.Resolve("text_direction", [new("x", "FP32", [-1, 3, -1, -1])], 1, NoShapes, 128);

        Assert.Equal([1, 3, 48, 192], shapes[0]);
    }

    [Fact]
    public void Resolve_TokenInputs_TakeTheSequenceLength()
    {
        var shapes = InputPlanner.Resolve("minilm", MiniLm, 8, NoShapes, 256);

        Assert.All(shapes, s => Assert.Equal([8, 256], s));
    }

    [Fact]
    public void Resolve_ShapeFlag_WinsOverDefaults()
    {
        var shapes = InputPlanner.Resolve("text_direction", [new("x", "FP32", [-1, 3, -1, -1])], 2,
            new Dictionary<string, long[]> { ["x"] = [3, 32, 100] }, 128);

        Assert.Equal([2, 3, 32, 100], shapes[0]);
    }

    [Fact]
    public void Resolve_UnknownDynamicDims_NamesTheFlagToPass()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            InputPlanner.Resolve("resnet", [new("images", "FP32", [-1, 3, -1, -1])], 1, NoShapes, 128));

        Assert.Contains("--shape images=", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x", new long[] { 3, 48 }, "has 2 dims")]
    [InlineData("x", new long[] { 4, 48, 192 }, "does not fit")]
    [InlineData("y", new long[] { 3, 48, 192 }, "names input 'y'")]
    public void Resolve_ShapeFlagThatDoesNotFit_Throws(string name, long[] dims, string message)
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            InputPlanner.Resolve("text_direction", [new("x", "FP32", [-1, 3, -1, -1])], 1, new Dictionary<string, long[]> { [name] = dims }, 128));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_BatchOnAModelWithoutBatchDimension_Throws()
    {
        var inputs = new TensorDescriptor[] { new("x", "FP32", [3, 4]) };

        Assert.Equal([3, 4], InputPlanner.Resolve("fixed", inputs, 1, NoShapes, 128)[0]);
        Assert.Throws<ArgumentException>(() => InputPlanner.Resolve("fixed", inputs, 2, NoShapes, 128));
    }

    [Theory]
    [InlineData("x=3,48,192", "x", new long[] { 3, 48, 192 })]
    [InlineData("input_ids=64", "input_ids", new long[] { 64 })]
    public void ParseShape_NameEqualsDims(string text, string name, long[] dims)
    {
        var parsed = InputPlanner.ParseShape(text);

        Assert.Equal(name, parsed.Key);
        Assert.Equal(dims, parsed.Value);
    }

    [Theory]
    [InlineData("x")]
    [InlineData("=3,4")]
    [InlineData("x=")]
    [InlineData("x=3,-1")]
    [InlineData("x=3,a")]
    public void ParseShape_Malformed_Throws(string text)
    {
        Assert.Throws<ArgumentException>(() => InputPlanner.ParseShape(text));
    }
}
