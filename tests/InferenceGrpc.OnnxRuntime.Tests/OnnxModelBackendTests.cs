using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.OnnxRuntime.Execution;
using InferenceGrpc.OnnxRuntime.Providers;
using InferenceGrpc.OnnxRuntime.Sessions;
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

        // The provider options are set before the library loads, so the failure comes from there, naming what is missing.
        Assert.DoesNotContain("[ONNXRuntimeError]", ex.Message);
        Assert.DoesNotContain("provider_bridge_ort", ex.Message);
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

    [Theory]
    [InlineData(2, 1, 2)]
    [InlineData(2, 2, 1)]
    [InlineData(2, 3, 1)]
    public void Load_CpuInstancesWithoutThreadSetting_ShareTheCores(int cores, int instances, int expected)
    {
        var backend = Backends.With(new OnnxRuntimeOptions(), Backends.CudaLoads, _logger, processorCount: cores);
        var config = Backends.Config(ExecutionKind.Cpu, count: instances);
        var source = _models.Write(TestModelFactory.Scale(2f));

        var runners = Enumerable.Range(0, instances).Select(_ => backend.Load(source, config)).ToList();

        runners.ForEach(r => r.Dispose());
        var sessions = _logger.Values("SessionCreated");
        Assert.Equal(instances, sessions.Count);
        Assert.All(sessions, v =>
        {
            Assert.Equal(expected, v["IntraOpThreads"]);
            Assert.Equal(IntraOpChoice.CoreShare, v["IntraOpChoice"]);
            Assert.Equal(cores, v["ProcessorCount"]);
            Assert.Equal(instances, v["InstanceCount"]);
        });
        Assert.Equal(Enumerable.Range(0, instances), sessions.Select(v => (int)v["Instance"]!));
    }

    [Fact]
    public void Load_IntraOpParameter_WinsOverTheCoreShare()
    {
        var backend = Backends.With(new OnnxRuntimeOptions(), Backends.CudaLoads, _logger, processorCount: 2);
        var parameters = new Dictionary<string, string> { ["intra_op_thread_count"] = "3" };

        using var runner = backend.Load(_models.Write(TestModelFactory.Scale(2f)), Backends.Config(ExecutionKind.Cpu, parameters, count: 2));

        var values = Assert.Single(_logger.Values("SessionCreated"));
        Assert.Equal(3, values["IntraOpThreads"]);
        Assert.Equal(IntraOpChoice.Configured, values["IntraOpChoice"]);
    }

    [Fact]
    public void Load_ServerIntraOpOption_WinsOverTheCoreShare()
    {
        var backend = Backends.With(new OnnxRuntimeOptions { IntraOpThreads = 3 }, Backends.CudaLoads, _logger, processorCount: 2);

        using var runner = backend.Load(_models.Write(TestModelFactory.Scale(2f)), Backends.Config(ExecutionKind.Cpu, count: 2));

        Assert.Equal(3, Assert.Single(_logger.Values("SessionCreated"))["IntraOpThreads"]);
    }

    [Fact]
    public void Load_CudaInstance_GetsOneThreadAndTheIoBindingRunner()
    {
        var backend = Backends.With(new OnnxRuntimeOptions(), Backends.CudaLoads, _logger, processorCount: 16);

        using var runner = backend.Load(_models.Write(TestModelFactory.Scale(2f)), Backends.Config(ExecutionKind.Gpu, count: 4));

        var values = Assert.Single(_logger.Values("SessionCreated"));
        Assert.Equal(1, values["IntraOpThreads"]);
        Assert.Equal(IntraOpChoice.CudaInstance, values["IntraOpChoice"]);
        Assert.Equal(RunBinding.IoBinding, Assert.IsType<OnnxModelRunner>(runner).Binding);
    }

    [Fact]
    public void Load_CpuInstance_GetsTheOrtValueRunner()
    {
        using var runner = Backends.Cpu().Load(_models.Write(TestModelFactory.Scale(2f)), Backends.Config());

        Assert.Equal(RunBinding.OrtValues, Assert.IsType<OnnxModelRunner>(runner).Binding);
    }

    [Fact]
    public void Load_CudaSessionFallsBackToCpu_GetsTheCpuShareAndOrtValues()
    {
        CudaProviderAppender breaksSession = static (options, _) => options.AddSessionConfigEntry("session.load_model_format", "ORT");
        var backend = Backends.With(new OnnxRuntimeOptions(), breaksSession, _logger, processorCount: 4);

        using var runner = backend.Load(_models.Write(TestModelFactory.Scale(2f)), Backends.Config(count: 2));

        Assert.Equal("CPU", runner.Device);
        Assert.Equal(RunBinding.OrtValues, Assert.IsType<OnnxModelRunner>(runner).Binding);
        Assert.Equal(2, Assert.Single(_logger.Values("SessionCreated"))["IntraOpThreads"]);
    }

    [Fact]
    public void Load_InstancesOfAGroupOnTwoGpus_GoRoundRobin()
    {
        var backend = Backends.With(new OnnxRuntimeOptions(), Backends.CudaLoads);
        var source = _models.Write(TestModelFactory.Scale(2f));
        var config = Backends.Config(ExecutionKind.Gpu, gpus: [0, 1], count: 3);

        // As Core loads a version: Load(source, config) once per instance.
        var runners = Enumerable.Range(0, 3).Select(_ => backend.Load(source, config)).ToList();

        Assert.Equal(["CUDA:0", "CUDA:1", "CUDA:0"], runners.Select(r => r.Device));
        runners.ForEach(r => r.Dispose());
    }

    [Fact]
    public void Load_ImplicitInstanceNumbers_AreCountedPerVersionAndWrap()
    {
        var backend = Backends.With(new OnnxRuntimeOptions(), Backends.CudaLoads);
        var v1 = _models.Write(TestModelFactory.Scale(2f), version: 1);
        var v2 = _models.Write(TestModelFactory.Scale(3f), version: 2);
        var config = Backends.Config(ExecutionKind.Gpu, gpus: [0, 1], count: 2);

        // v1: instance 0, v2: instance 0, v1: instance 1, then v1 again wraps to instance 0 (a reload).
        var runners = new[] { backend.Load(v1, config), backend.Load(v2, config), backend.Load(v1, config), backend.Load(v1, config) };

        Assert.Equal(["CUDA:0", "CUDA:0", "CUDA:1", "CUDA:0"], runners.Select(r => r.Device));
        Array.ForEach(runners, r => r.Dispose());
    }

    [Theory]
    [InlineData(1, "CUDA:1")]
    [InlineData(2, "CUDA:0")]
    [InlineData(5, "CUDA:0")]
    public void Load_ExplicitInstance_PicksItsGpuModuloTheInstanceCount(int instance, string expected)
    {
        var backend = Backends.With(new OnnxRuntimeOptions(), Backends.CudaLoads);

        using var runner = backend.Load(_models.Write(TestModelFactory.Scale(2f)), Backends.Config(ExecutionKind.Gpu, gpus: [0, 1], count: 3), instance);

        Assert.Equal(expected, runner.Device);
    }

    [Fact]
    public void Load_NegativeInstance_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Backends.Cpu().Load(_models.Write(TestModelFactory.Scale(2f)), Backends.Config(), -1));
    }

    public void Dispose() => _models.Dispose();
}
