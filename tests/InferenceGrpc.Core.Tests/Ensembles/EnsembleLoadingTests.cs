using InferenceGrpc.Core.Batching;
using InferenceGrpc.Core.Ensembles;
using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.Core.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using static InferenceGrpc.Core.Tests.Fakes.Specs;

namespace InferenceGrpc.Core.Tests.Ensembles;

/// <summary>The loader with ensembles: order, load-time checks against the registry, retries, label files.</summary>
public sealed class EnsembleLoadingTests : IDisposable
{
    private const string Ensemble = """
        {
          "platform": "ensemble",
          "input": [{ "name": "IN", "data_type": "TYPE_FP32", "dims": [4] }],
          "output": [{ "name": "OUT", "data_type": "TYPE_FP32", "dims": [4], "label_filename": "classes.txt" }],
          "ensemble_scheduling": { "step": [{ "model_name": "scale2", "input_map": { "X": "IN" }, "output_map": { "Y": "OUT" } }] }
        }
        """;

    private readonly TempRepository _repo = new();
    private readonly FakeModelBackend _backend = new();
    private readonly ModelRegistry _registry = new();
    private readonly ModelRepositoryLoader _loader;

    public EnsembleLoadingTests()
    {
        _backend.WithGraph("scale2", Graph([Tensor("X", DataType.Fp32, 4)], [Tensor("Y", DataType.Fp32, 4)]));
        _loader = new(new BackendCatalog([_backend]), _registry, new ModelLoaderOptions { DefaultInstanceCount = 1, WarmUp = false }, new SchedulerOptions(),
            TimeProvider.System, NullLoggerFactory.Instance);
        _repo.AddVersion("scale2", "1");
        _repo.AddConfig("scale2", """{ "max_batch_size": 0 }""");
        _repo.AddVersion("ens", "1", fileName: null);   // Triton's empty version folder
        _repo.AddConfig("ens", Ensemble);
        File.WriteAllLines(Path.Combine(_repo.ModelDirectory("ens"), "classes.txt"), ["a", "b", "c", "d"]);
    }

    public void Dispose()
    {
        _registry.Dispose();
        _repo.Dispose();
    }

    private ModelSource Source(string model) => ModelRepositoryScanner.ScanModel(_repo.ModelDirectory(model));

    private ModelVersion Version(string model) => _registry.TryGetModel(model, out var m) ? m.Versions[1] : throw new InvalidOperationException(model);

    [Fact]
    public void LoadAll_EnsembleListedBeforeItsStep_LoadsTheStepFirst()
    {
        Assert.True(_loader.LoadAll([Source("ens"), Source("scale2")], CancellationToken.None));

        var version = Version("ens");
        Assert.Equal(ModelState.Ready, version.State);
        Assert.IsType<EnsembleScheduler>(version.Scheduler);
        Assert.Equal(ModelConfig.EnsemblePlatform, version.Config.Platform);
        Assert.Single(_backend.Loads);   // the step only: an ensemble has no backend and no model file
    }

    [Fact]
    public void Load_StepModelNotLoaded_VersionIsUnavailableNamingTheStep()
    {
        Assert.False(_loader.Load(Source("ens")));

        var version = Version("ens");
        Assert.Equal(ModelState.Unavailable, version.State);
        Assert.Contains("ensemble 'ens': step 0 (model 'scale2'): the model is not loaded", version.Reason);
    }

    [Fact]
    public void Load_StepModelLoadsAfterTheEnsemble_RetriesTheEnsemble()
    {
        _loader.Load(Source("ens"));

        _loader.Load(Source("scale2"));

        Assert.Equal(ModelState.Ready, Version("ens").State);
    }

    [Fact]
    public void Load_OutputWithLabelFile_ReadsOneLabelPerLine()
    {
        _loader.LoadAll([Source("scale2"), Source("ens")], CancellationToken.None);

        Assert.Equal(["a", "b", "c", "d"], Version("ens").Labels["OUT"]);
    }

    [Fact]
    public void Load_LabelFileMissing_VersionIsUnavailableNamingIt()
    {
        File.Delete(Path.Combine(_repo.ModelDirectory("ens"), "classes.txt"));

        _loader.LoadAll([Source("scale2"), Source("ens")], CancellationToken.None);

        Assert.Equal(ModelState.Unavailable, Version("ens").State);
        Assert.Contains("label_filename 'classes.txt' does not exist", Version("ens").Reason);
    }

    [Fact]
    public async Task InferAsync_StepModelReloadedToANewVersion_EnsembleUsesItWithoutReloading()
    {
        _loader.LoadAll([Source("scale2"), Source("ens")], CancellationToken.None);
        var ensemble = Version("ens");
        var executor = new InferenceExecutor(_registry);
        var request = new InferenceRequest { ModelName = "ens", Inputs = [Input("IN", DataType.Fp32, 4)], RequestedOutputs = ["OUT"] };
        (await executor.InferAsync(request, CancellationToken.None)).Dispose();

        _repo.AddVersion("scale2", "2");
        _loader.Load(Source("scale2"));
        (await executor.InferAsync(request, CancellationToken.None)).Dispose();

        Assert.Same(ensemble, Version("ens"));
        Assert.Equal([1, 1], _backend.Runners.Select(r => r.Calls.Count));   // version 1's runner, then version 2's
        Assert.True(_registry.TryGetModel("scale2", out var step) && step.Versions.Keys.Single() == 2);
    }

    [Fact]
    public async Task Unload_Ensemble_LeavesItsStepServing()
    {
        _loader.LoadAll([Source("scale2"), Source("ens")], CancellationToken.None);

        Assert.True(await _loader.UnloadAsync("ens"));

        Assert.False(_registry.TryGetModel("ens", out _));
        Assert.Equal(ModelState.Ready, Version("scale2").State);
    }
}
