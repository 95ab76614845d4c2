using InferenceGrpc.TestModels;

namespace InferenceGrpc.Server.Tests.Infrastructure;

/// <summary>A model repository in a fresh temporary folder, deleted on dispose.</summary>
internal sealed class TestRepository : IDisposable
{
    public TestRepository()
    {
        Root = Path.Combine(Path.GetTempPath(), "igrpc-server-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>The repository's checkout: the folder above this assembly that holds InferenceGrpc.sln.</summary>
    public static string SourceRoot { get; } = FindSourceRoot();

    public TestRepository AddModel(string name, byte[] model, long version = 1)
    {
        TestModelFactory.WriteToRepository(Root, name, version, model);
        return this;
    }

    public TestRepository AddConfig(string name, string json)
    {
        Directory.CreateDirectory(Path.Combine(Root, name));
        File.WriteAllText(Path.Combine(Root, name, "config.json"), json);
        return this;
    }

    /// <summary>Copies a model folder of the checkout's <c>models/</c> (config, versions, files) into this repository.</summary>
    public TestRepository CopyBundledModel(string name) => CopyModelFolder(Path.Combine(SourceRoot, "models", name), name);

    /// <summary>Copies any model folder (config, versions, files) into this repository as <paramref name="name"/>.</summary>
    public TestRepository CopyModelFolder(string source, string name)
    {
        if (!Directory.Exists(source))
        {
            throw new DirectoryNotFoundException($"model folder '{source}' does not exist; build the solution first (benchmarks/InferenceGrpc.Benchmarks.Models extracts MiniLM)");
        }
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(Root, name, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return this;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; never fail a test over cleanup.
        }
    }

    private static string FindSourceRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "InferenceGrpc.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"InferenceGrpc.sln not found above {AppContext.BaseDirectory}");
    }
}
