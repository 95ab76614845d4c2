namespace InferenceGrpc.Core.Tests.Fakes;

/// <summary>A model repository in a fresh temporary folder, deleted on dispose.</summary>
internal sealed class TempRepository : IDisposable
{
    public TempRepository()
    {
        Root = Path.Combine(Path.GetTempPath(), "igrpc-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string ModelDirectory(string model) => Path.Combine(Root, model);

    /// <summary>Creates <c>&lt;model&gt;/&lt;folder&gt;/</c>, with a placeholder model file unless told not to.</summary>
    public string AddVersion(string model, string folder, string? fileName = "model.onnx")
    {
        var directory = Path.Combine(Root, model, folder);
        Directory.CreateDirectory(directory);
        if (fileName is not null)
        {
            File.WriteAllBytes(Path.Combine(directory, fileName), [0x08, 0x07]);
        }

        return directory;
    }

    public void AddConfig(string model, string json)
    {
        Directory.CreateDirectory(Path.Combine(Root, model));
        File.WriteAllText(Path.Combine(Root, model, "config.json"), json);
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
}
