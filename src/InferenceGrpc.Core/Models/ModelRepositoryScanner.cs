using System.Globalization;

namespace InferenceGrpc.Core.Models;

/// <summary>A model folder of the repository, with its parsed configuration and the versions its policy serves.</summary>
/// <param name="ConfigError">Why the configuration could not be read; the model is then unavailable.</param>
public sealed record ModelSource(string Name, string Directory, ModelConfig Config, IReadOnlyList<ModelVersionSource> Versions, string? ConfigError)
{
    /// <summary>The configuration as read (file text or override); a reload reuses a version only if it is unchanged.</summary>
    public string ConfigFingerprint { get; init; } = "";
}

/// <param name="ModelPath">The model file; it may be missing, which fails that version's load with a reason.</param>
public sealed record ModelVersionSource(long Version, string ModelPath)
{
    /// <summary>
    /// The version folder's files (name, size, write time) when scanned: unchanged means reusable. The whole folder,
    /// not only the model file, because other files are part of the version too: ONNX external weights, a
    /// tokenizer's vocabulary, a drift baseline. Writing any of them makes the repository poll reload the version
    /// (beside the serving one, so without a failed request). "" when the folder is missing or empty.
    /// </summary>
    public string Fingerprint { get; init; } = "";

    /// <summary>Every file under <paramref name="directory"/>, sorted by path: relative path, size and write time.</summary>
    public static string FolderFingerprintOf(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            return "";
        }

        var files = new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories)
            .Select(f => $"{Path.GetRelativePath(directory, f.FullName)}:{f.Length}:{f.LastWriteTimeUtc.Ticks}")
            .Order(StringComparer.Ordinal);
        return string.Join(";", files);
    }
}

/// <summary>Reads a Triton <c>config.pbtxt</c> (protobuf text format) into a model config; supplied by the host.</summary>
public delegate ModelConfig PbtxtConfigReader(string modelName, string text);

/// <summary>
/// Reads a Triton-layout repository: <c>&lt;root&gt;/&lt;model&gt;/&lt;version&gt;/model.onnx</c> with an optional
/// <c>&lt;root&gt;/&lt;model&gt;/config.json</c>. Version folders are positive integers; other entries are ignored.
/// </summary>
public static class ModelRepositoryScanner
{
    /// <summary>Triton's config file name, read when a <see cref="PbtxtConfigReader"/> is supplied.</summary>
    public const string PbtxtFileName = "config.pbtxt";

    public static IReadOnlyList<ModelSource> Scan(string root, PbtxtConfigReader? pbtxt = null)
    {
        if (!System.IO.Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"model repository '{root}' does not exist");
        }

        return new DirectoryInfo(root).EnumerateDirectories()
            .Where(d => !d.Name.StartsWith('.'))
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .Select(d => ScanModel(d.FullName, pbtxt))
            .ToList();
    }

    /// <summary>
    /// Reads one model folder. <paramref name="configOverride"/> (JSON, as RepositoryModelLoad's "config"
    /// parameter) replaces the folder's config file.
    /// </summary>
    public static ModelSource ScanModel(string directory, PbtxtConfigReader? pbtxt = null, string? configOverride = null)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));
        ModelConfig config;
        string? error = null;
        var fingerprint = "";
        var jsonPath = Path.Combine(directory, ModelConfigJson.FileName);
        var pbtxtPath = Path.Combine(directory, PbtxtFileName);
        try
        {
            if (configOverride is not null)
            {
                fingerprint = configOverride;
                config = ModelConfigJson.Parse(name, configOverride, "the config override");
            }
            else if (File.Exists(jsonPath) && pbtxt is not null && File.Exists(pbtxtPath))
            {
                throw new ModelConfigException($"model '{name}' has both {ModelConfigJson.FileName} and {PbtxtFileName}; keep one");
            }
            else if (File.Exists(jsonPath))
            {
                fingerprint = File.ReadAllText(jsonPath);
                config = ModelConfigJson.Parse(name, fingerprint);
            }
            else if (pbtxt is not null && File.Exists(pbtxtPath))
            {
                fingerprint = File.ReadAllText(pbtxtPath);
                config = pbtxt(name, fingerprint);
            }
            else
            {
                config = new ModelConfig { Name = name };
            }
        }
        catch (ModelConfigException ex)
        {
            config = new ModelConfig { Name = name };
            error = ex.Message;
        }

        // Only canonical names ("7", not "007"): the model path is rebuilt from the number below.
        var present = new DirectoryInfo(directory).EnumerateDirectories()
            .Select(d => long.TryParse(d.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 &&
                         d.Name == v.ToString(CultureInfo.InvariantCulture) ? v : 0)
            .Where(v => v > 0);
        var versions = new List<ModelVersionSource>();
        foreach (var version in config.VersionPolicy.Select(present))
        {
            var folder = Path.Combine(directory, version.ToString(CultureInfo.InvariantCulture));
            var path = Path.Combine(folder, config.ModelFileName);
            versions.Add(new ModelVersionSource(version, path) { Fingerprint = ModelVersionSource.FolderFingerprintOf(folder) });
        }

        if (error is null && versions.Count == 0)
        {
            error = $"model '{name}' has no version folder that its version policy serves (expected {directory}/<version>/{config.ModelFileName})";
        }

        return new ModelSource(name, directory, config, versions, error) { ConfigFingerprint = fingerprint };
    }
}
