using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Tests.Fakes;

namespace InferenceGrpc.Core.Tests.Inference;

public sealed class InferenceResultTests
{
    [Fact]
    public void Dispose_Twice_DisposesOwnerOnce()
    {
        var owner = new FakeOwner();
        var result = new InferenceResult("m", 1, [], owner);

        result.Dispose();
        result.Dispose();

        Assert.Equal(1, owner.DisposeCount);
    }
}
