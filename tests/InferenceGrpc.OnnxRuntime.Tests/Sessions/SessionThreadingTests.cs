using InferenceGrpc.Core.Models;
using InferenceGrpc.OnnxRuntime.Sessions;

namespace InferenceGrpc.OnnxRuntime.Tests.Sessions;

public sealed class SessionThreadingTests
{
    private static readonly OnnxRuntimeOptions Defaults = new() { IntraOpThreads = 4, InterOpThreads = 2 };

    [Fact]
    public void Resolve_NoParameters_UsesServerOptions()
    {
        Assert.Equal(new SessionThreading(4, 2), SessionThreading.Resolve(new Dictionary<string, string>(), Defaults));
    }

    [Fact]
    public void Resolve_ModelParameters_OverrideServerOptions()
    {
        var parameters = new Dictionary<string, string> { ["intra_op_thread_count"] = "1", ["inter_op_thread_count"] = " 0 " };

        Assert.Equal(new SessionThreading(1, 0), SessionThreading.Resolve(parameters, Defaults));
    }

    [Fact]
    public void Resolve_OnlyOneParameter_KeepsTheOtherDefault()
    {
        var parameters = new Dictionary<string, string> { ["inter_op_thread_count"] = "3" };

        Assert.Equal(new SessionThreading(4, 3), SessionThreading.Resolve(parameters, Defaults));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("+2")]
    [InlineData("1.5")]
    [InlineData("two")]
    [InlineData("1025")]
    [InlineData("99999999999")]
    public void Resolve_InvalidValue_Throws(string value)
    {
        var parameters = new Dictionary<string, string> { ["intra_op_thread_count"] = value };

        var ex = Assert.Throws<ModelConfigException>(() => SessionThreading.Resolve(parameters, Defaults));

        Assert.Contains("'intra_op_thread_count'", ex.Message);
    }

    [Theory]
    [InlineData(2, 1, 2)]
    [InlineData(2, 2, 1)]
    [InlineData(2, 3, 1)]
    [InlineData(16, 3, 5)]
    [InlineData(1, 1, 1)]
    public void ForInstance_CpuWithoutCount_SplitsTheCoresBetweenInstances(int cores, int instances, int expected)
    {
        var threading = new SessionThreading(0, 0).ForInstance(onCuda: false, instances, cores);

        Assert.Equal(new SessionThreading(expected, 0, IntraOpChoice.CoreShare), threading);
        Assert.True(instances * threading.IntraOpThreads <= Math.Max(cores, instances));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ForInstance_ConfiguredCount_Wins(bool onCuda)
    {
        var threading = new SessionThreading(3, 2).ForInstance(onCuda, instanceCount: 2, processorCount: 2);

        Assert.Equal(new SessionThreading(3, 2, IntraOpChoice.Configured), threading);
    }

    [Fact]
    public void ForInstance_CudaWithoutCount_IsOneThreadAndKeepsInterOp()
    {
        var threading = new SessionThreading(0, 4).ForInstance(onCuda: true, instanceCount: 1, processorCount: 64);

        Assert.Equal(new SessionThreading(1, 4, IntraOpChoice.CudaInstance), threading);
    }
}
