using InferenceGrpc.Core.Models;
using InferenceGrpc.OnnxRuntime.Providers;
using InferenceGrpc.OnnxRuntime.Tests.Infrastructure;
using Microsoft.ML.OnnxRuntime;

namespace InferenceGrpc.OnnxRuntime.Tests.Providers;

public sealed class ExecutionProviderSelectorTests
{
    private readonly RecordingLogger<ExecutionProviderSelectorTests> _logger = new();

    [Theory]
    [InlineData(ExecutionKind.Gpu, ExecutionProviderPreference.Cpu, ExecutionProviderPreference.Cuda)]
    [InlineData(ExecutionKind.Cpu, ExecutionProviderPreference.Cuda, ExecutionProviderPreference.Cpu)]
    [InlineData(ExecutionKind.Auto, ExecutionProviderPreference.Cpu, ExecutionProviderPreference.Cpu)]
    [InlineData(ExecutionKind.Auto, ExecutionProviderPreference.Cuda, ExecutionProviderPreference.Cuda)]
    [InlineData(ExecutionKind.Auto, ExecutionProviderPreference.Auto, ExecutionProviderPreference.Auto)]
    public void Resolve_ModelKindWinsOverServerPreference(ExecutionKind kind, ExecutionProviderPreference server, ExecutionProviderPreference expected)
    {
        var selector = new ExecutionProviderSelector(server, _logger, Backends.CudaLoads);

        Assert.Equal(expected, selector.Resolve(kind));
    }

    [Fact]
    public void Apply_Cpu_NeverTriesCuda()
    {
        var tried = false;
        var selector = new ExecutionProviderSelector(ExecutionProviderPreference.Auto, _logger, (_, _) => tried = true);
        using var options = new SessionOptions();

        var target = selector.Apply(options, ExecutionProviderPreference.Cpu, 0, "m");

        Assert.Equal("CPU", target.Device);
        Assert.False(tried);
    }

    [Theory]
    [InlineData(ExecutionProviderPreference.Auto)]
    [InlineData(ExecutionProviderPreference.Cuda)]
    public void Apply_CudaLoads_TargetsTheDevice(ExecutionProviderPreference preference)
    {
        var devices = new List<int>();
        var selector = new ExecutionProviderSelector(ExecutionProviderPreference.Auto, _logger, (_, settings) => devices.Add(settings.DeviceId));
        using var options = new SessionOptions();

        var target = selector.Apply(options, preference, 2, "m");

        Assert.Equal(ExecutionTarget.Cuda(2), target);
        Assert.Equal("CUDA:2", target.Device);
        Assert.Equal([2], devices);
        Assert.Empty(_logger.Entries);
    }

    [Fact]
    public void Apply_AutoWithoutCuda_FallsBackToCpuWarningOncePerSelector()
    {
        var selector = new ExecutionProviderSelector(ExecutionProviderPreference.Auto, _logger, Backends.CudaMissing);
        using var options = new SessionOptions();

        var first = selector.Apply(options, ExecutionProviderPreference.Auto, 0, "a");
        var second = selector.Apply(options, ExecutionProviderPreference.Auto, 0, "b");

        Assert.Equal(ExecutionTarget.Cpu, first);
        Assert.Equal(ExecutionTarget.Cpu, second);
        Assert.Equal(1, _logger.Count("CudaUnavailable"));
        Assert.Equal(2, _logger.Count("CudaUnavailableForModel"));
    }

    [Fact]
    public void Apply_RequiredCudaMissing_ThrowsWithShortReasonAndAdvice()
    {
        var selector = new ExecutionProviderSelector(ExecutionProviderPreference.Auto, _logger, Backends.CudaMissing);
        using var options = new SessionOptions();

        var ex = Assert.Throws<ModelConfigException>(() => selector.Apply(options, ExecutionProviderPreference.Cuda, 0, "m"));

        Assert.StartsWith("the CUDA execution provider could not be loaded: Unknown provider name", ex.Message);
        Assert.EndsWith("; install CUDA 13 and cuDNN 9 or use KIND_CPU", ex.Message);
        Assert.DoesNotContain("[ErrorCode", ex.Message);
    }

    [Fact]
    public void Apply_NativeLibraryMissing_CountsAsCudaMissing()
    {
        var selector = new ExecutionProviderSelector(ExecutionProviderPreference.Auto, _logger,
            (_, _) => throw new DllNotFoundException("libonnxruntime_providers_cuda.so"));
        using var options = new SessionOptions();

        Assert.Equal(ExecutionTarget.Cpu, selector.Apply(options, ExecutionProviderPreference.Auto, 0, "m"));
    }

    [Fact]
    public void Apply_UnexpectedAppenderFailure_IsNotSwallowed()
    {
        var selector = new ExecutionProviderSelector(ExecutionProviderPreference.Auto, _logger,
            (_, _) => throw new InvalidOperationException("bug"));
        using var options = new SessionOptions();

        Assert.Throws<InvalidOperationException>(() => selector.Apply(options, ExecutionProviderPreference.Auto, 0, "m"));
    }
}
