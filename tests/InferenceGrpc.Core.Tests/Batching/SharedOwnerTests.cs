using InferenceGrpc.Core.Batching;
using InferenceGrpc.Core.Tests.Fakes;

namespace InferenceGrpc.Core.Tests.Batching;

public sealed class SharedOwnerTests
{
    [Fact]
    public void Dispose_FewerTimesThanShares_KeepsTheInnerOwner()
    {
        var inner = new FakeOwner();
        var shared = new SharedOwner(inner, 3);

        shared.Dispose();
        shared.Dispose();

        Assert.Equal(0, inner.DisposeCount);
    }

    [Fact]
    public void Dispose_OncePerShare_DisposesTheInnerOwnerOnce()
    {
        var inner = new FakeOwner();
        var shared = new SharedOwner(inner, 3);

        shared.Dispose();
        shared.Dispose();
        shared.Dispose();

        Assert.Equal(1, inner.DisposeCount);
    }

    [Fact]
    public void Dispose_NoInnerOwner_DoesNothing()
    {
        var shared = new SharedOwner(null, 1);

        Assert.Null(Record.Exception(shared.Dispose));
    }
}
