using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using static InferenceGrpc.Core.Tests.Fakes.Specs;

namespace InferenceGrpc.Core.Tests.Models;

public sealed class WarmUpInputsTests
{
    [Fact]
    public void Create_BatchingModel_UsesBatchOneAndDynamicDimsAsOne()
    {
        var signature = Signature(8, [Tensor("IN", DataType.Fp32, -1, 3)], []);

        var input = Assert.Single(WarmUpInputs.Create(signature));

        Assert.Equal("IN", input.Name);
        Assert.Equal(DataType.Fp32, input.DataType);
        Assert.Equal([1L, 1, 3], input.Shape);
        Assert.Equal(new byte[12], input.Data.ToArray());
    }

    [Fact]
    public void Create_NonBatchingModel_KeepsFixedDims()
    {
        var signature = Signature(0, [Tensor("IN", DataType.Int64, 2, -1)], []);

        var input = Assert.Single(WarmUpInputs.Create(signature));

        Assert.Equal([2L, 1], input.Shape);
        Assert.Equal(16, input.Data.Length);
    }

    [Fact]
    public void Create_BytesInput_IsEmptyElementsOfTheRightCount()
    {
        var signature = Signature(4, [Tensor("TEXT", DataType.Bytes, 3)], []);

        var input = Assert.Single(WarmUpInputs.Create(signature));

        Assert.True(BytesTensor.TryCountElements(input.Data.Span, out var count));
        Assert.Equal(3, count);
        Assert.All(input.Data.ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void Create_EveryInput_InSignatureOrder()
    {
        var signature = Signature(0, [Tensor("B", DataType.Bool, 2), Tensor("A", DataType.Fp16, 2)], []);

        Assert.Equal(["B", "A"], WarmUpInputs.Create(signature).Select(i => i.Name));
    }
}
