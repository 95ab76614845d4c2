using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Batching;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.Core.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using static InferenceGrpc.Core.Tests.Fakes.Specs;

namespace InferenceGrpc.Core.Tests.Models;

public sealed class ModelRepositoryLoaderTests : IDisposable
{
    private static readonly ModelGraph Graph1 = Graph(
        [Tensor("IMAGE", DataType.Fp32, -1, 3, -1), Tensor("TEXT", DataType.Bytes, -1, 2)],
        [Tensor("SCORES", DataType.Fp32, -1, 10), Tensor("LABEL", DataType.Int64, -1)]);

    private readonly TempRepository _repo = new();
    private readonly FakeModelBackend _backend = new();
    private readonly ModelRegistry _registry = new();
    // One instance unless a test says otherwise, so each load is one backend call.
    private readonly ModelLoaderOptions _options = new() { DefaultInstanceCount = 1 };

    public void Dispose() => _repo.Dispose();

    private ModelRepositoryLoader Loader() => new(new BackendCatalog([_backend]), _registry, _options, new SchedulerOptions(), TimeProvider.System, NullLoggerFactory.Instance);

    /// <summary>A model with the given version folders, each holding a model file.</summary>
    private ModelSource Source(string name, params long[] versions) =>
        Source(new ModelConfig { Name = name }, versions);

    private ModelSource Source(ModelConfig config, params long[] versions)
    {
        var sources = versions
            .Select(v => new ModelVersionSource(v, Path.Combine(_repo.AddVersion(config.Name, v.ToString(System.Globalization.CultureInfo.InvariantCulture)), "model.onnx")))
            .ToList();
        return new ModelSource(config.Name, _repo.ModelDirectory(config.Name), config, sources, null);
    }

    private ModelVersion Version(string model, long version)
    {
        Assert.True(_registry.TryGetModel(model, out var registered));
        return registered.Versions[version];
    }

    [Fact]
    public void Load_VersionCheckThrows_VersionUnavailableWithTheReasonAndItsRunnersDisposed()
    {
        _backend.WithGraph("m", Graph1);
        var seen = new List<ModelVersion>();
        var loader = new ModelRepositoryLoader(new BackendCatalog([_backend]), _registry, _options, new SchedulerOptions(), TimeProvider.System,
            NullLoggerFactory.Instance, checks: [new DelegateCheck(v =>
            {
                seen.Add(v);
                throw new ModelConfigException("model 'm': parameter 'capture.sampel_rate' is not known");
            })]);

        Assert.False(loader.Load(Source("m", 1)));

        var version = Version("m", 1);
        Assert.Equal(ModelState.Unavailable, version.State);
        Assert.Equal("model 'm': parameter 'capture.sampel_rate' is not known", version.Reason);
        Assert.Equal(1, Assert.Single(_backend.Runners).DisposeCount);
        var checkedVersion = Assert.Single(seen);
        Assert.Equal(("m", 1L, ModelState.Loading), (checkedVersion.ModelName, checkedVersion.Version, checkedVersion.State));
        Assert.NotNull(checkedVersion.Signature);
    }

    [Fact]
    public void Load_VersionCheckPasses_VersionReady()
    {
        _backend.WithGraph("m", Graph1);
        var loader = new ModelRepositoryLoader(new BackendCatalog([_backend]), _registry, _options, new SchedulerOptions(), TimeProvider.System,
            NullLoggerFactory.Instance, checks: [new DelegateCheck(_ => { })]);

        Assert.True(loader.Load(Source("m", 1)));
        Assert.Equal(ModelState.Ready, Version("m", 1).State);
    }

    private sealed class DelegateCheck(Action<ModelVersion> check) : IModelVersionCheck
    {
        public void Check(ModelVersion version) => check(version);
    }

    [Fact]
    public void Load_ValidModel_ReturnsTrue()
    {
        _backend.WithGraph("m", Graph1);

        Assert.True(Loader().Load(Source("m", 1)));
    }

    [Fact]
    public void Load_ValidModel_VersionIsReadyWithTheBackendsRunner()
    {
        _backend.WithGraph("m", Graph1);

        Loader().Load(Source("m", 1));

        var version = Version("m", 1);
        Assert.Equal(ModelState.Ready, version.State);
        Assert.Null(version.Reason);
        Assert.Single(_backend.Runners);
        Assert.NotNull(version.Scheduler);
        Assert.Same(version, _registry.ResolveReady("m", "1"));
    }

    [Fact]
    public void Load_ValidModel_SignatureComesFromTheGraph()
    {
        _backend.WithGraph("m", Graph1);
        _options.DefaultMaxBatchSize = 6;

        Loader().Load(Source("m", 1));

        var signature = Version("m", 1).Signature!;
        Assert.Equal(6, signature.MaxBatchSize);
        Assert.Equal(["IMAGE", "TEXT"], signature.Inputs.Select(t => t.Name));
        Assert.Equal([3L, -1], signature.Inputs[0].Dims);
        Assert.Equal(["SCORES", "LABEL"], signature.OutputNames);
    }

    [Fact]
    public void Load_ValidModel_BackendGetsTheVersionSourceAndConfig()
    {
        _backend.WithGraph("m", Graph1);
        var source = Source("m", 4);

        Loader().Load(source);

        var (versionSource, config) = Assert.Single(_backend.Loads);
        Assert.Equal(source.Versions[0], versionSource);
        // The source's config with the default instance group filled in.
        Assert.Equal(source.Config with { InstanceGroups = config.InstanceGroups }, config);
        Assert.Equal(1, config.InstanceCount);
    }

    [Fact]
    public void Load_WhileTheBackendLoads_VersionIsLoading()
    {
        ModelState? seen = null;
        _backend.WithGraph("m", Graph1).OnCreated = _ => seen = Version("m", 1).State;

        Loader().Load(Source("m", 1));

        Assert.Equal(ModelState.Loading, seen);
    }

    [Fact]
    public void Load_BackendThrowsModelConfigException_VersionUnavailableWithReason()
    {
        _backend.Failing("m", new ModelConfigException("opset 99 is not supported"));

        var ready = Loader().Load(Source("m", 1));

        Assert.False(ready);
        var version = Version("m", 1);
        Assert.Equal(ModelState.Unavailable, version.State);
        Assert.Equal("opset 99 is not supported", version.Reason);
        var ex = Assert.Throws<InferenceException>(() => _registry.ResolveReady("m", "1"));
        Assert.Equal(InferenceErrorKind.Unavailable, ex.Kind);
    }

    [Fact]
    public void LoadAll_OneModelFails_OtherModelsStillLoad()
    {
        _backend.Failing("bad", new ModelConfigException("broken")).WithGraph("good", Graph1).WithGraph("zgood", Graph1);

        var allReady = Loader().LoadAll([Source("good", 1), Source("bad", 1), Source("zgood", 1)], CancellationToken.None);

        Assert.False(allReady);
        Assert.Equal(ModelState.Unavailable, Version("bad", 1).State);
        Assert.Equal(ModelState.Ready, Version("good", 1).State);
        Assert.Equal(ModelState.Ready, Version("zgood", 1).State);
    }

    [Fact]
    public void LoadAll_EveryModelLoads_ReturnsTrue()
    {
        _backend.WithGraph("a", Graph1).WithGraph("b", Graph1);

        Assert.True(Loader().LoadAll([Source("a", 1, 2), Source("b", 1)], CancellationToken.None));
    }

    [Fact]
    public void LoadAll_CancelledToken_ThrowsAndLoadsNothing()
    {
        _backend.WithGraph("a", Graph1);
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.Throws<OperationCanceledException>(() => Loader().LoadAll([Source("a", 1)], cancellation.Token));
        Assert.Empty(_backend.Loads);
    }

    [Fact]
    public void Load_BackendThrowsOtherException_VersionUnavailableAndNotPropagated()
    {
        _backend.Failing("m", new InvalidOperationException("native crash"));

        var ready = Loader().Load(Source("m", 1));

        Assert.False(ready);
        var version = Version("m", 1);
        Assert.Equal(ModelState.Unavailable, version.State);
        Assert.Contains(nameof(InvalidOperationException), version.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingModelFile_VersionUnavailableWithoutCallingTheBackend()
    {
        _backend.WithGraph("m", Graph1);
        var path = Path.Combine(_repo.ModelDirectory("m"), "1", "model.onnx");
        var source = new ModelSource("m", _repo.ModelDirectory("m"), new ModelConfig { Name = "m" }, [new ModelVersionSource(1, path)], null);

        var ready = Loader().Load(source);

        Assert.False(ready);
        var version = Version("m", 1);
        Assert.Equal(ModelState.Unavailable, version.State);
        Assert.Contains(path, version.Reason, StringComparison.Ordinal);
        Assert.Empty(_backend.Loads);
    }

    [Fact]
    public void Load_ConfigDisagreesWithGraph_VersionUnavailableAndRunnerDisposed()
    {
        _backend.WithGraph("m", Graph1);
        var config = new ModelConfig { Name = "m", Inputs = [Tensor("IMAGE", DataType.Fp16, 3, -1), Tensor("TEXT", DataType.Bytes, 2)] };

        Loader().Load(Source(config, 1));

        var version = Version("m", 1);
        Assert.Equal(ModelState.Unavailable, version.State);
        Assert.Contains("'IMAGE'", version.Reason, StringComparison.Ordinal);
        Assert.Equal(1, Assert.Single(_backend.Runners).DisposeCount);
    }

    [Fact]
    public void Load_ConfigError_EveryVersionUnavailableWithTheErrorAndNoBackendCall()
    {
        _backend.WithGraph("m", Graph1);
        var source = Source("m", 1, 2) with { ConfigError = "config.json: 'max_batch_size' must be 0 or more" };

        var ready = Loader().Load(source);

        Assert.False(ready);
        Assert.Empty(_backend.Loads);
        Assert.All([Version("m", 1), Version("m", 2)], v =>
        {
            Assert.Equal(ModelState.Unavailable, v.State);
            Assert.Equal(source.ConfigError, v.Reason);
        });
    }

    [Fact]
    public void Load_ConfigErrorWithNoVersions_ModelIsUnavailableWithTheError()
    {
        var source = new ModelSource("m", _repo.ModelDirectory("m"), new ModelConfig { Name = "m" }, [], "no version folder");

        Loader().Load(source);

        var ex = Assert.Throws<InferenceException>(() => _registry.ResolveReady("m", ""));
        Assert.Equal(InferenceErrorKind.Unavailable, ex.Kind);
        Assert.Contains("no version folder", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OneVersionFails_OtherVersionsServe()
    {
        _backend.WithGraph("m", Graph1);
        var source = Source("m", 1, 2);
        File.Delete(source.Versions[1].ModelPath);

        Loader().Load(source);

        Assert.Equal(ModelState.Ready, Version("m", 1).State);
        Assert.Equal(ModelState.Unavailable, Version("m", 2).State);
        Assert.Equal(1, _registry.ResolveReady("m", "").Version);
    }

    [Fact]
    public void Load_Again_ReplacesTheModelsVersions()
    {
        _backend.WithGraph("m", Graph1);
        var loader = Loader();
        loader.Load(Source("m", 1));

        loader.Load(Source("m", 2));

        Assert.True(_registry.TryGetModel("m", out var model));
        Assert.Equal([2L], model.Versions.Keys.ToArray());
    }

    [Fact]
    public void Load_WarmUp_RunsOncePerVersion()
    {
        _backend.WithGraph("m", Graph1);

        Loader().Load(Source("m", 1, 2, 3));

        // Each version warms once per batch size worth warming: 1 and the auto-completed max (4).
        Assert.Equal(3, _backend.Runners.Count);
        Assert.All(_backend.Runners, r => Assert.Equal([1L, 4L], r.Calls.Select(c => c.Inputs[0].Shape[0])));
    }

    [Fact]
    public void Load_WarmUp_RunsZeroInputsOfBatchOneFirst()
    {
        _backend.WithGraph("m", Graph1);

        Loader().Load(Source("m", 1));

        var call = Assert.Single(_backend.Runners).Calls[0];
        Assert.Equal(
            [("IMAGE", DataType.Fp32, "[1,3,1]"), ("TEXT", DataType.Bytes, "[1,2]")],
            call.Inputs.Select(i => (i.Name, i.DataType, TensorShape.Format(i.Shape))));
        Assert.Equal(new byte[12], call.Inputs[0].Data.ToArray());
        Assert.True(BytesTensor.TryCountElements(call.Inputs[1].Data.Span, out var count));
        Assert.Equal(2, count);
    }

    [Fact]
    public void Load_WarmUp_AsksForEveryOutput()
    {
        _backend.WithGraph("m", Graph1);

        Loader().Load(Source("m", 1));

        Assert.All(Assert.Single(_backend.Runners).Calls, c => Assert.Equal(["SCORES", "LABEL"], c.OutputNames));
    }

    [Fact]
    public void Load_WarmUp_DisposesTheRunResult()
    {
        _backend.WithGraph("m", Graph1);

        Loader().Load(Source("m", 1));

        Assert.All(Assert.Single(_backend.Runners).Owners, o => Assert.Equal(1, o.DisposeCount));
    }

    [Fact]
    public void Load_WarmUpDisabled_DoesNotRun()
    {
        _backend.WithGraph("m", Graph1);
        _options.WarmUp = false;

        Loader().Load(Source("m", 1));

        Assert.Empty(Assert.Single(_backend.Runners).Calls);
        Assert.Equal(ModelState.Ready, Version("m", 1).State);
    }

    [Fact]
    public void Load_WarmUpThrowsInferenceException_VersionStaysReady()
    {
        _backend.WithGraph("m", Graph1).OnCreated = runner =>
            runner.OnRun = (_, _) => throw new InferenceException(InferenceErrorKind.Internal, "kernel failed");

        var ready = Loader().Load(Source("m", 1));

        Assert.True(ready);
        Assert.Equal(ModelState.Ready, Version("m", 1).State);
        Assert.Equal(0, Assert.Single(_backend.Runners).DisposeCount);
    }

    [Fact]
    public void Load_WarmUpThrowsOtherException_VersionUnavailableAndRunnerDisposed()
    {
        _backend.WithGraph("m", Graph1).OnCreated = runner =>
            runner.OnRun = (_, _) => throw new InvalidOperationException("bug");

        var ready = Loader().Load(Source("m", 1));

        Assert.False(ready);
        Assert.Equal(ModelState.Unavailable, Version("m", 1).State);
        Assert.Equal(1, Assert.Single(_backend.Runners).DisposeCount);
    }

    [Fact]
    public void Load_NoInstanceGroup_LoadsTheDefaultInstanceCount()
    {
        _backend.WithGraph("m", Graph1);
        _options.DefaultInstanceCount = 3;

        Loader().Load(Source("m", 1));

        Assert.Equal(3, _backend.Runners.Count);
        Assert.Equal(3, Version("m", 1).Config.InstanceCount);
    }

    [Fact]
    public void Load_ExplicitInstanceGroup_WinsOverTheDefault()
    {
        _backend.WithGraph("m", Graph1);
        _options.DefaultInstanceCount = 3;

        Loader().Load(Source(new ModelConfig { Name = "m", InstanceGroups = [new InstanceGroup(1, ExecutionKind.Cpu, [])] }, 1));

        Assert.Single(_backend.Runners);
    }
}
