using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using static InferenceGrpc.Core.Tests.Fakes.Specs;

namespace InferenceGrpc.Core.Tests.Models;

public sealed class ModelSignatureTests
{
    [Fact]
    public void FullShape_BatchingModel_PrependsDynamicBatchDim()
    {
        var spec = Tensor("IN", DataType.Fp32, 3, -1);
        var signature = Signature(4, [spec], []);

        Assert.Equal([-1L, 3, -1], signature.FullShape(spec));
    }

    [Fact]
    public void FullShape_NonBatchingModel_IsTheDims()
    {
        var spec = Tensor("IN", DataType.Fp32, 3, -1);
        var signature = Signature(0, [spec], []);

        Assert.Equal([3L, -1], signature.FullShape(spec));
    }

    [Fact]
    public void Constructor_NegativeMaxBatchSize_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Signature(-1, [], []));
    }

    [Fact]
    public void TryGetInput_NameDiffersInCase_ReturnsFalse()
    {
        var signature = Signature(0, [Tensor("IN", DataType.Fp32, 1)], []);

        Assert.False(signature.TryGetInput("in", out _));
        Assert.True(signature.TryGetInput("IN", out var spec));
        Assert.Equal("IN", spec.Name);
    }
}
