namespace InferenceGrpc.Cli.Batch;

/// <summary>
/// An output file written front to back: created empty for a fresh run, or cut back to the length a checkpoint
/// recorded for a resumed one, so that whatever was written after the checkpoint is written again, once.
/// </summary>
internal sealed class OutputFile : IDisposable
{
    private OutputFile(FileStream stream) => Stream = stream;

    public FileStream Stream { get; }

    /// <param name="resumeAt">Null: a fresh file. Else the length to keep.</param>
    /// <exception cref="IOException">The file cannot be opened, or is shorter than <paramref name="resumeAt"/>.</exception>
    public static OutputFile Open(string path, long? resumeAt)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        var stream = new FileStream(path, resumeAt is null ? FileMode.Create : FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1 << 16);
        if (resumeAt is { } length)
        {
            if (stream.Length < length)
            {
                stream.Dispose();
                throw new IOException($"{path} holds {stream.Length} bytes but the checkpoint recorded {length}; it was changed since, so start over without --resume");
            }

            stream.SetLength(length);
            stream.Position = length;
        }

        return new OutputFile(stream);
    }

    /// <summary>Writes buffered bytes to the file and returns its length, for the checkpoint.</summary>
    public long Flush()
    {
        Stream.Flush();
        return Stream.Length;
    }

    public void Dispose() => Stream.Dispose();
}
