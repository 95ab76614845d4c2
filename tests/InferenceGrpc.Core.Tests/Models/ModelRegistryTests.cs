using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.Core.Tests.Fakes;
using static InferenceGrpc.Core.Tests.Fakes.Specs;

namespace InferenceGrpc.Core.Tests.Models;

public sealed class ModelRegistryTests
{
    private const string Model = "m";

    private static readonly ModelConfig Config = new() { Name = Model };

    private static readonly ModelGraph Graph1 = Graph([Tensor("IN", DataType.Fp32, -1)], [Tensor("OUT", DataType.Fp32, -1)]);

    private readonly ModelRegistry _registry = new();

    private static ModelVersion Ready(long version, string model = Model)
    {
        var signature = Signature(4, [Tensor("IN", DataType.Fp32)], [Tensor("OUT", DataType.Fp32)]);
        return ModelVersion.Ready(model, version, Config with { Name = model }, signature, Schedulers.For(model, version, signature, new FakeModelRunner(Graph1)));
    }

    private static ModelVersion Unavailable(long version, string reason = "file is corrupt") =>
        ModelVersion.Unavailable(Model, version, Config, reason);

    private static ModelVersion Loading(long version) => ModelVersion.Loading(Model, version, Config);

    private InferenceException Fails(string model, string version)
    {
        return Assert.Throws<InferenceException>(() => _registry.ResolveReady(model, version));
    }

    [Fact]
    public void ResolveReady_UnknownModel_ThrowsNotFound()
    {
        _registry.SetModel(Model, Config, null, [Ready(1)]);

        var ex = Fails("other", "");

        Assert.Equal(InferenceErrorKind.NotFound, ex.Kind);
        Assert.Contains("'other'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveReady_EmptyRegistry_ThrowsNotFound()
    {
        Assert.Equal(InferenceErrorKind.NotFound, Fails(Model, "1").Kind);
    }

    [Fact]
    public void ResolveReady_UnknownVersion_ThrowsNotFoundListingVersions()
    {
        _registry.SetModel(Model, Config, null, [Ready(3), Ready(1), Unavailable(2)]);

        var ex = Fails(Model, "7");

        Assert.Equal(InferenceErrorKind.NotFound, ex.Kind);
        Assert.Contains("'7'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[1,2,3]", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("latest")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData(" 1")]
    [InlineData("1.0")]
    [InlineData("99999999999999999999")]
    public void ResolveReady_NonNumericVersion_ThrowsNotFound(string version)
    {
        _registry.SetModel(Model, Config, null, [Ready(1)]);

        Assert.Equal(InferenceErrorKind.NotFound, Fails(Model, version).Kind);
    }

    [Fact]
    public void ResolveReady_ReadyVersion_ReturnsIt()
    {
        var one = Ready(1);
        _registry.SetModel(Model, Config, null, [one, Ready(2)]);

        Assert.Same(one, _registry.ResolveReady(Model, "1"));
    }

    [Fact]
    public void ResolveReady_LoadingVersion_ThrowsUnavailable()
    {
        _registry.SetModel(Model, Config, null, [Loading(1)]);

        var ex = Fails(Model, "1");

        Assert.Equal(InferenceErrorKind.Unavailable, ex.Kind);
        Assert.Contains("LOADING", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveReady_UnavailableVersion_ThrowsUnavailableWithReason()
    {
        _registry.SetModel(Model, Config, null, [Unavailable(1, "model file is truncated")]);

        var ex = Fails(Model, "1");

        Assert.Equal(InferenceErrorKind.Unavailable, ex.Kind);
        Assert.Contains("model file is truncated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveReady_EmptyVersion_ReturnsHighestReadyEvenIfAHigherIsUnavailable()
    {
        var two = Ready(2);
        _registry.SetModel(Model, Config, null, [Ready(1), two, Unavailable(3), Loading(4)]);

        Assert.Same(two, _registry.ResolveReady(Model, ""));
    }

    [Fact]
    public void ResolveReady_EmptyVersionAndNoneReady_ThrowsUnavailableForTheHighest()
    {
        _registry.SetModel(Model, Config, null, [Unavailable(1, "old reason"), Unavailable(2, "new reason")]);

        var ex = Fails(Model, "");

        Assert.Equal(InferenceErrorKind.Unavailable, ex.Kind);
        Assert.Contains("new reason", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveReady_EmptyVersionAndModelHasNoVersions_ThrowsUnavailableWithModelReason()
    {
        _registry.SetModel(Model, Config, "config.json is broken", []);

        var ex = Fails(Model, "");

        Assert.Equal(InferenceErrorKind.Unavailable, ex.Kind);
        Assert.Contains("config.json is broken", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetVersion_ExistingModel_ReplacesOnlyThatVersion()
    {
        _registry.SetModel(Model, Config, null, [Loading(1), Loading(2)]);

        _registry.SetVersion(Ready(2));

        Assert.True(_registry.TryGetModel(Model, out var model));
        Assert.Equal(ModelState.Loading, model.Versions[1].State);
        Assert.Equal(ModelState.Ready, model.Versions[2].State);
    }

    [Fact]
    public void SetVersion_UnknownModel_AddsIt()
    {
        _registry.SetVersion(Ready(5));

        Assert.Equal(5, _registry.ResolveReady(Model, "").Version);
    }

    [Fact]
    public void SetVersion_AfterASnapshotWasRead_LeavesTheOldSnapshotUnchanged()
    {
        var loading = Loading(1);
        _registry.SetModel(Model, Config, null, [loading]);
        Assert.True(_registry.TryGetModel(Model, out var before));

        _registry.SetVersion(Ready(1));
        _registry.SetVersion(Ready(2));

        Assert.Same(loading, before.Versions[1]);
        Assert.Equal([1L], before.Versions.Keys.ToArray());
        Assert.Null(before.DefaultVersion);
        Assert.True(_registry.TryGetModel(Model, out var after));
        Assert.Equal(2, after.DefaultVersion!.Version);
    }

    [Fact]
    public void SetVersion_AfterModelsWasRead_LeavesTheOldCollectionUnchanged()
    {
        _registry.SetModel(Model, Config, null, [Ready(1)]);
        var before = _registry.Models;

        _registry.SetVersion(Ready(1, "other"));

        Assert.Equal([Model], before.Select(m => m.Name));
        Assert.Equal(2, _registry.Models.Count);
    }

    [Fact]
    public void SetModel_ExistingModel_ReplacesEveryVersion()
    {
        _registry.SetModel(Model, Config, null, [Ready(1), Ready(2)]);

        _registry.SetModel(Model, Config, null, [Ready(3)]);

        Assert.True(_registry.TryGetModel(Model, out var model));
        Assert.Equal([3L], model.Versions.Keys.ToArray());
    }

    [Fact]
    public void RemoveModel_Present_ReturnsItAndForgetsIt()
    {
        var one = Ready(1);
        _registry.SetModel(Model, Config, null, [one]);

        var removed = _registry.RemoveModel(Model);

        Assert.NotNull(removed);
        Assert.Same(one, removed.Versions[1]);
        Assert.False(_registry.TryGetModel(Model, out _));
        Assert.Equal(InferenceErrorKind.NotFound, Fails(Model, "").Kind);
    }

    [Fact]
    public void RemoveModel_Absent_ReturnsNull()
    {
        _registry.SetModel(Model, Config, null, [Ready(1)]);

        Assert.Null(_registry.RemoveModel("other"));
        Assert.True(_registry.TryGetModel(Model, out _));
    }

    [Fact]
    public void TryGetModel_NameDiffersInCase_ReturnsFalse()
    {
        _registry.SetModel(Model, Config, null, [Ready(1)]);

        Assert.False(_registry.TryGetModel("M", out _));
    }
}
