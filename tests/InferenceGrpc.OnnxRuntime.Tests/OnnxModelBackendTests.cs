using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.OnnxRuntime.Providers;
using InferenceGrpc.OnnxRuntime.Tests.Infrastructure;
using InferenceGrpc.TestModels;

namespace InferenceGrpc.OnnxRuntime.Tests;

public sealed class OnnxModelBackendTests : IDisposable
{
    private readonly ModelDirectory _models = new();
    private readonly RecordingLogger<OnnxModelBackend> _logger = new();

    [Fact]
    public void Platform_IsTritonsOnnxName()
    {
        Assert.Equal("onnxruntime_onnx", Backends.Cpu().Platform);
    }

    [Fact]
    public void Load_CorruptFile_FailsWithOrtReasonOnOneLine()
    {
        var source = _models.Write(TestModelFactory.Corrupt());

        var ex = Assert.Throws<ModelConfigException>(() => Backends.Cpu(_logger).Load(source, Backends.Config()));

        Assert.Contains("InvalidProtobuf", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Equal(1, _logger.Count("SessionLoadFailed"));
    }

    [Fact]
    public void Load_EmptyFile_Fails()
    {
        var source = _models.Write([]);

        Assert.Throws<ModelConfigException>(() => Backends.Cpu().Load(source, Backends.Config()));
    }

    [Fact]
    public void Load_MissingFile_FailsNamingThePath()
    {
        var path = Path.Combine(_models.Root, "absent", "1", "model.onnx");

        var ex = Assert.Throws<ModelConfigException>(() => Backends.Cpu().Load(new ModelVersionSource(1, path), Backends.Config()));

        Assert.Contains(path, ex.Message);
        Assert.Contains("does not exist", ex.Message);
    }

    [Fact]
    public void Load_KindCpu_RunsOnCpu()
    {
        var backend = Backends.With(new OnnxRuntimeOptions(), Backends.CudaLoads);

        using var runner = backend.Load(_models.Write(TestModelFactory.Scale(2f)), Backends.Config(ExecutionKind.Cpu));

        Assert.Equal("CPU", runner.Device);
    }

    [Fact]
    public void Load_KindGpuOnThisMachine_FailsMentioningCudaOrRunsOnCuda()
    {
        // The real CUDA provider: on CPU-only machines (CI) it cannot load, on GPU nodes it must.
        var source = _models.Write(TestModelFactory.Scale(2f));
        var backend = new OnnxModelBackend(new OnnxRuntimeOptions(), _logger);

        if (Backends.CudaProviderLoads)
        {
            using var runner = backend.Load(source, Backends.Config(ExecutionKind.Gpu));
            Assert.Equal("CUDA:0", runner.Device);
            return;
        }

        var ex = Assert.Throws<ModelConfigException>(() => backend.Load(source, Backends.Config(ExecutionKind.Gpu)));
        Assert.StartsWith("the CUDA execution provider could not be loaded: ", ex.Message);
        Assert.Contains("KIND_CPU", ex.Message);
    }

    [Fact]
    public void Load_ServerPreferenceCudaWithoutCuda_FailsForKindAuto()
    {
        var backend = Backends.With(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cuda }, Backends.CudaMissing);

        var ex = Assert.Throws<ModelConfigException>(() => backend.Load(_models.Write(TestModelFactory.Scale(2f)), Backends.Config()));

        Assert.Contains("CUDA", ex.Message);
    }

    [Fact]
    public void Load_KindAutoWithoutCuda_FallsBackToCpuAndWarnsOnce()
    {
        var backend = Backends.With(new OnnxRuntimeOptions(), Backends.CudaMissing, _logger);
        var source = _models.Write(TestModelFactory.Scale(2f));

        using var first = backend.Load(source, Backends.Config());
        using var second = backend.Load(source, Backends.Config());

        Assert.Equal("CPU", first.Device);
        Assert.Equal("CPU", second.Device);
        Assert.Equal(1, _logger.Count("CudaUnavailable"));
        Assert.Equal(2, _logger.Count("CudaUnavailableForModel"));
    }

    [Fact]
    public void Load_KindAutoOnThisMachine_RunsOnCpuOrCuda()
    {
        using var runner = new OnnxModelBackend(new OnnxRuntimeOptions(), _logger).Load(_models.Write(TestModelFactory.Scale(2f)), Backends.Config());

        Assert.Equal(Backends.CudaProviderLoads ? "CUDA:0" : "CPU", runner.Device);
    }

    [Fact]
    public void Load_CudaLoadsAndGroupNamesGpu_ReportsThatDevice()
    {
        var backend = Backends.With(new OnnxRuntimeOptions { DeviceId = 3 }, Backends.CudaLoads);

        using var named = backend.Load(_models.Write(TestModelFactory.Scale(2f)), Backends.Config(ExecutionKind.Gpu, gpus: [1, 2]));
        using var unnamed = backend.Load(_models.Write(TestModelFactory.Scale(2f), "other"), Backends.Config(ExecutionKind.Gpu));

        Assert.Equal("CUDA:1", named.Device);
        Assert.Equal("CUDA:3", unnamed.Device);
    }

    [Fact]
    public void Load_CudaLoadsButSessionCannotStartOnIt_AutoRetriesOnCpu()
    {
        // The provider loads, then session creation fails (as with a too-old driver). Asking ORT to read the file as
        // ORT format makes creation fail the same way, without a GPU.
        CudaProviderAppender breaksSession = static (options, _) => options.AddSessionConfigEntry("session.load_model_format", "ORT");
        var backend = Backends.With(new OnnxRuntimeOptions(), breaksSession, _logger);

        using var runner = backend.Load(_models.Write(TestModelFactory.Scale(2f)), Backends.Config());

        Assert.Equal("CPU", runner.Device);
        Assert.Equal(1, _logger.Count("CudaSessionFallback"));
    }

    [Fact]
    public void Load_CudaLoadsButSessionCannotStartOnIt_KindGpuFails()
    {
        CudaProviderAppender breaksSession = static (options, _) => options.AddSessionConfigEntry("session.load_model_format", "ORT");
        var backend = Backends.With(new OnnxRuntimeOptions(), breaksSession, _logger);

        Assert.Throws<ModelConfigException>(() => backend.Load(_models.Write(TestModelFactory.Scale(2f)), Backends.Config(ExecutionKind.Gpu)));
        Assert.Equal(0, _logger.Count("CudaSessionFallback"));
    }

    [Fact]
    public void Load_ThreadParameters_AreAcceptedAndTheModelRuns()
    {
        var parameters = new Dictionary<string, string> { ["intra_op_thread_count"] = "2", ["inter_op_thread_count"] = "1" };

        using var runner = Backends.Cpu().Load(_models.Write(TestModelFactory.Scale(2f)), Backends.Config(parameters: parameters));
        var result = runner.Run([TensorData.Input("INPUT0", DataType.Fp32, [1, 4], TensorData.Floats(1, 2, 3, 4))], ["OUTPUT0"]);

        using (result.Owner)
        {
            Assert.Equal([2f, 4f, 6f, 8f], TensorData.ToFloats(result.Outputs[0].Data));
        }
    }

    [Theory]
    [InlineData("intra_op_thread_count", "many")]
    [InlineData("inter_op_thread_count", "-1")]
    public void Load_InvalidThreadParameter_FailsNamingIt(string name, string value)
    {
        var parameters = new Dictionary<string, string> { [name] = value };

        var ex = Assert.Throws<ModelConfigException>(() =>
            Backends.Cpu().Load(_models.Write(TestModelFactory.Scale(2f)), Backends.Config(parameters: parameters)));

        Assert.Contains(name, ex.Message);
        Assert.Contains(value, ex.Message);
    }

    public void Dispose() => _models.Dispose();
}
