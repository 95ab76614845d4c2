using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tests.Fakes;

namespace InferenceGrpc.Core.Tests.Execution;

public sealed class BackendCatalogTests
{
    [Fact]
    public void Resolve_ConfiguredBackend_ReturnsIt()
    {
        var onnx = new FakeModelBackend();
        var catalog = new BackendCatalog([onnx]);

        Assert.Same(onnx, catalog.Resolve(new ModelConfig { Name = "m" }));
    }

    [Fact]
    public void Resolve_UnknownBackend_ThrowsNamingItAndTheServedOnes()
    {
        var catalog = new BackendCatalog([new FakeModelBackend()]);

        var ex = Assert.Throws<ModelConfigException>(() => catalog.Resolve(new ModelConfig { Name = "m", Backend = "python" }));

        Assert.Equal("backend 'python' is not served; this server has: onnxruntime", ex.Message);
    }

    [Fact]
    public void Constructor_TwoBackendsOfOneName_Throws()
    {
        Assert.Throws<ArgumentException>(() => new BackendCatalog([new FakeModelBackend(), new FakeModelBackend()]));
    }
}
