namespace InferenceGrpc.Cli.Tests.Infrastructure;

/// <summary>A file under the temp folder, deleted on dispose.</summary>
internal sealed class TempFile : IDisposable
{
    private TempFile(string path) => Path = path;

    public string Path { get; }

    public static TempFile WithText(string extension, string text)
    {
        var file = new TempFile(NewPath(extension));
        File.WriteAllText(file.Path, text);
        return file;
    }

    public static TempFile WithBytes(string extension, byte[] bytes)
    {
        var file = new TempFile(NewPath(extension));
        File.WriteAllBytes(file.Path, bytes);
        return file;
    }

    public void Dispose() => File.Delete(Path);

    private static string NewPath(string extension) =>
        System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"infergrpc-test-{Guid.NewGuid():N}{extension}");
}
