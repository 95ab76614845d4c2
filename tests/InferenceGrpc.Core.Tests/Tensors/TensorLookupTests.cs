using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Tests.Tensors;

public sealed class TensorLookupTests
{
    private static readonly InputTensor[] Inputs =
        [new("a", DataType.Fp32, [1], new byte[4]), new("b", DataType.Fp32, [1], new byte[4])];

    private static readonly OutputTensor[] Outputs =
        [new("x", DataType.Fp32, [1], new byte[4]), new("y", DataType.Fp32, [1], new byte[4])];

    [Fact]
    public void IndexOfAndFind_Present_GiveThatTensor()
    {
        Assert.Equal(1, TensorLookup.IndexOf(Inputs, "b"));
        Assert.Same(Inputs[1], TensorLookup.Find(Inputs, "b"));
        Assert.Equal(1, TensorLookup.IndexOf(Outputs, "y"));
        Assert.Same(Outputs[1], TensorLookup.Find(Outputs, "y"));
    }

    [Fact]
    public void IndexOfAndFind_Absent_GiveMinusOneAndNull()
    {
        Assert.Equal(-1, TensorLookup.IndexOf(Inputs, "B"));
        Assert.Null(TensorLookup.Find(Inputs, "B"));
        Assert.Equal(-1, TensorLookup.IndexOf(Outputs, "z"));
        Assert.Null(TensorLookup.Find(Outputs, "z"));
    }
}
