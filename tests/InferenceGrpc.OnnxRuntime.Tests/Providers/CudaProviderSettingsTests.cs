using InferenceGrpc.OnnxRuntime.Execution;
using InferenceGrpc.OnnxRuntime.Providers;

namespace InferenceGrpc.OnnxRuntime.Tests.Providers;

public sealed class CudaProviderSettingsTests
{
    [Fact]
    public void ToProviderOptions_HasTheDeviceAndThePerInstanceSettings()
    {
        var options = new CudaProviderSettings(DeviceId: 3).ToProviderOptions();

        // Exactly these keys: anything else would reach UpdateOptions untested.
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["device_id"] = "3",
                ["do_copy_in_default_stream"] = "0",
                ["cudnn_conv_use_max_workspace"] = "1",
                ["arena_extend_strategy"] = "kSameAsRequested",
            },
            options);
    }

    [Fact]
    public void ToProviderOptions_EachCall_IsANewDictionary()
    {
        // ORT's UpdateOptions takes a mutable Dictionary; a shared one could be changed under another load.
        var settings = new CudaProviderSettings(0);

        Assert.NotSame(settings.ToProviderOptions(), settings.ToProviderOptions());
    }

    [Fact]
    public void Binding_IsIoBindingOnCudaAndOrtValuesOnCpu()
    {
        Assert.Equal(RunBinding.IoBinding, ExecutionTarget.Cuda(1).Binding);
        Assert.Equal(RunBinding.OrtValues, ExecutionTarget.Cpu.Binding);
    }
}
