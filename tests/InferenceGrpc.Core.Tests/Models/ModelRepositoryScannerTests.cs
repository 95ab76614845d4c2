using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tests.Fakes;

namespace InferenceGrpc.Core.Tests.Models;

public sealed class ModelRepositoryScannerTests : IDisposable
{
    private readonly TempRepository _repo = new();

    public void Dispose() => _repo.Dispose();

    private ModelSource ScanOne() => Assert.Single(ModelRepositoryScanner.Scan(_repo.Root));

    [Fact]
    public void Scan_MissingRepository_ThrowsDirectoryNotFound()
    {
        Assert.Throws<DirectoryNotFoundException>(() => ModelRepositoryScanner.Scan(Path.Combine(_repo.Root, "nope")));
    }

    [Fact]
    public void Scan_EmptyRepository_FindsNoModels()
    {
        Assert.Empty(ModelRepositoryScanner.Scan(_repo.Root));
    }

    [Fact]
    public void Scan_SeveralModels_SortsByOrdinalName()
    {
        foreach (var model in new[] { "zeta", "Beta", "alpha", "beta" })
        {
            _repo.AddVersion(model, "1");
        }

        Assert.Equal(["Beta", "alpha", "beta", "zeta"], ModelRepositoryScanner.Scan(_repo.Root).Select(m => m.Name));
    }

    [Fact]
    public void Scan_HiddenFolderAndLooseFile_AreIgnored()
    {
        _repo.AddVersion("real", "1");
        _repo.AddVersion(".git", "1");
        File.WriteAllText(Path.Combine(_repo.Root, "README.md"), "models");

        Assert.Equal("real", ScanOne().Name);
    }

    [Fact]
    public void Scan_Model_GivesNameDirectoryAndModelPath()
    {
        _repo.AddVersion("resnet", "1");

        var model = ScanOne();

        Assert.Equal("resnet", model.Name);
        Assert.Equal(_repo.ModelDirectory("resnet"), model.Directory);
        Assert.Null(model.ConfigError);
        var version = Assert.Single(model.Versions);
        Assert.Equal(1, version.Version);
        Assert.Equal(Path.Combine(_repo.Root, "resnet", "1", "model.onnx"), version.ModelPath);
    }

    [Fact]
    public void Scan_NoConfigFile_UsesDefaultConfigNamedAfterFolder()
    {
        _repo.AddVersion("resnet", "1");

        var config = ScanOne().Config;

        Assert.Equal("resnet", config.Name);
        Assert.Null(config.MaxBatchSize);
        Assert.Equal(VersionPolicy.Default, config.VersionPolicy);
    }

    [Fact]
    public void Scan_NonNumericZeroAndNegativeFolders_AreNotVersions()
    {
        _repo.AddVersion("m", "0");
        _repo.AddVersion("m", "abc");
        _repo.AddVersion("m", "-2");
        _repo.AddVersion("m", "+3");
        _repo.AddVersion("m", "1.5");
        _repo.AddVersion("m", "2");
        var config = """{ "version_policy": { "all": {} } }""";
        _repo.AddConfig("m", config);

        Assert.Equal([2L], ScanOne().Versions.Select(v => v.Version));
    }

    [Fact]
    public void Scan_VersionFolderWithLeadingZero_IsNotAVersion()
    {
        // "01" would otherwise become version 1 with a model path under "1/", a folder that does not exist.
        _repo.AddVersion("m", "01");
        _repo.AddVersion("m", "2");
        _repo.AddConfig("m", """{ "version_policy": { "all": {} } }""");

        var version = Assert.Single(ScanOne().Versions);

        Assert.Equal(2, version.Version);
    }

    [Fact]
    public void Scan_DefaultPolicy_ServesOnlyTheHighestNumericallyNotLexically()
    {
        _repo.AddVersion("m", "1");
        _repo.AddVersion("m", "9");
        _repo.AddVersion("m", "10");

        Assert.Equal([10L], ScanOne().Versions.Select(v => v.Version));
    }

    [Fact]
    public void Scan_AllPolicy_ServesEveryVersionAscending()
    {
        _repo.AddVersion("m", "10");
        _repo.AddVersion("m", "1");
        _repo.AddVersion("m", "9");
        _repo.AddConfig("m", """{ "version_policy": { "all": {} } }""");

        Assert.Equal([1L, 9, 10], ScanOne().Versions.Select(v => v.Version));
    }

    [Fact]
    public void Scan_SpecificPolicy_ServesOnlyListedVersions()
    {
        _repo.AddVersion("m", "1");
        _repo.AddVersion("m", "2");
        _repo.AddVersion("m", "3");
        _repo.AddConfig("m", """{ "version_policy": { "specific": { "versions": [3, 1, 7] } } }""");

        Assert.Equal([1L, 3], ScanOne().Versions.Select(v => v.Version));
    }

    [Fact]
    public void Scan_DefaultModelFilename_IsUsedInModelPath()
    {
        _repo.AddVersion("m", "4", "custom.onnx");
        _repo.AddConfig("m", """{ "default_model_filename": "custom.onnx" }""");

        Assert.Equal(Path.Combine(_repo.Root, "m", "4", "custom.onnx"), Assert.Single(ScanOne().Versions).ModelPath);
    }

    [Fact]
    public void Scan_VersionFolderWithoutModelFile_IsStillListed()
    {
        // The missing file fails that version's load with a reason, rather than hiding the version.
        _repo.AddVersion("m", "1", fileName: null);

        Assert.Equal([1L], ScanOne().Versions.Select(v => v.Version));
    }

    [Fact]
    public void Scan_InvalidConfig_CapturesErrorInsteadOfThrowing()
    {
        _repo.AddVersion("m", "1");
        _repo.AddConfig("m", """{ "max_batch_size": -1 }""");

        var model = ScanOne();

        Assert.NotNull(model.ConfigError);
        Assert.Contains("max_batch_size", model.ConfigError, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_InvalidConfig_KeepsDefaultConfigAndVersions()
    {
        _repo.AddVersion("m", "1");
        _repo.AddVersion("m", "2");
        _repo.AddConfig("m", "{ not json");

        var model = ScanOne();

        Assert.Equal("m", model.Config.Name);
        Assert.Equal([2L], model.Versions.Select(v => v.Version));
    }

    [Fact]
    public void Scan_InvalidConfig_OtherModelsStillScan()
    {
        _repo.AddVersion("bad", "1");
        _repo.AddConfig("bad", """{ "unknown_field": 1 }""");
        _repo.AddVersion("good", "1");

        var models = ModelRepositoryScanner.Scan(_repo.Root);

        Assert.Equal([("bad", true), ("good", false)], models.Select(m => (m.Name, m.ConfigError is not null)));
    }

    [Fact]
    public void Scan_NoVersionFolders_ReportsError()
    {
        Directory.CreateDirectory(_repo.ModelDirectory("m"));

        var model = ScanOne();

        Assert.Empty(model.Versions);
        Assert.NotNull(model.ConfigError);
        Assert.Contains("'m'", model.ConfigError, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_PolicyServesNoPresentVersion_ReportsError()
    {
        _repo.AddVersion("m", "1");
        _repo.AddConfig("m", """{ "version_policy": { "specific": { "versions": [5] } } }""");

        var model = ScanOne();

        Assert.Empty(model.Versions);
        Assert.NotNull(model.ConfigError);
    }

    [Fact]
    public void ScanModel_TrailingSeparator_NamesModelAfterFolder()
    {
        _repo.AddVersion("m", "1");

        var model = ModelRepositoryScanner.ScanModel(_repo.ModelDirectory("m") + Path.DirectorySeparatorChar);

        Assert.Equal("m", model.Name);
    }

    [Fact]
    public void Scan_NothingChanged_SameVersionFingerprint()
    {
        _repo.AddVersion("m", "1");

        Assert.Equal(Assert.Single(ScanOne().Versions).Fingerprint, Assert.Single(ScanOne().Versions).Fingerprint);
    }

    [Theory]
    [InlineData("baseline.json")]
    [InlineData("vocab.txt")]
    [InlineData("weights/model.onnx.data")]
    public void Scan_AFileOfTheVersionFolderWritten_FingerprintChanges(string file)
    {
        var folder = _repo.AddVersion("m", "1");
        var before = Assert.Single(ScanOne().Versions).Fingerprint;

        var path = Path.Combine(folder, file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "new");

        Assert.NotEqual(before, Assert.Single(ScanOne().Versions).Fingerprint);
        Assert.NotEqual("", before);
    }

    [Fact]
    public void Scan_ModelFileRewrittenWithAnotherSize_FingerprintChanges()
    {
        var folder = _repo.AddVersion("m", "1");
        var before = Assert.Single(ScanOne().Versions).Fingerprint;

        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), [1, 2, 3]);

        Assert.NotEqual(before, Assert.Single(ScanOne().Versions).Fingerprint);
    }

    [Fact]
    public void Scan_EmptyVersionFolder_EmptyFingerprint()
    {
        _repo.AddVersion("m", "1", fileName: null);

        Assert.Equal("", Assert.Single(ScanOne().Versions).Fingerprint);
    }
}
