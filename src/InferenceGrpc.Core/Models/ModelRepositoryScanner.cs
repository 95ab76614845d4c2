using System.Globalization;

namespace InferenceGrpc.Core.Models;

/// <summary>A model folder of the repository, with its parsed configuration and the versions its policy serves.</summary>
/// <param name="ConfigError">Why the configuration could not be read; the model is then unavailable.</param>
public sealed record ModelSource(string Name, string Directory, ModelConfig Config, IReadOnlyList<ModelVersionSource> Versions, string? ConfigError);

/// <param name="ModelPath">The model file; it may be missing, which fails that version's load with a reason.</param>
public sealed record ModelVersionSource(long Version, string ModelPath);

/// <summary>
/// Reads a Triton-layout repository: <c>&lt;root&gt;/&lt;model&gt;/&lt;version&gt;/model.onnx</c> with an optional
/// <c>&lt;root&gt;/&lt;model&gt;/config.json</c>. Version folders are positive integers; other entries are ignored.
/// </summary>
public static class ModelRepositoryScanner
{
    public static IReadOnlyList<ModelSource> Scan(string root)
    {
        if (!System.IO.Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"model repository '{root}' does not exist");
        }

        return new DirectoryInfo(root).EnumerateDirectories()
            .Where(d => !d.Name.StartsWith('.'))
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .Select(d => ScanModel(d.FullName))
            .ToList();
    }

    public static ModelSource ScanModel(string directory)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));
        ModelConfig config;
        string? error = null;
        var configPath = Path.Combine(directory, ModelConfigJson.FileName);
        try
        {
            config = File.Exists(configPath)
                ? ModelConfigJson.Parse(name, File.ReadAllText(configPath))
                : new ModelConfig { Name = name };
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
        var versions = config.VersionPolicy.Select(present)
            .Select(v => new ModelVersionSource(v, Path.Combine(directory, v.ToString(CultureInfo.InvariantCulture), config.ModelFileName)))
            .ToList();
        if (error is null && versions.Count == 0)
        {
            error = $"model '{name}' has no version folder that its version policy serves (expected {directory}/<version>/{config.ModelFileName})";
        }

        return new ModelSource(name, directory, config, versions, error);
    }
}
