namespace InferenceGrpc.Cli.Inputs;

/// <summary>Picks the reader by file extension: <c>.json</c> or <c>.npy</c>.</summary>
internal static class InputFiles
{
    /// <exception cref="InputFileException">Unreadable, unknown extension, or content the reader rejects.</exception>
    public static InputDocument Load(string path)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        try
        {
            return extension switch
            {
                ".json" => JsonInputReader.Read(File.ReadAllText(path)),
                ".npy" => new InputDocument(null, [NpyReader.Read(File.ReadAllBytes(path))], []),
                _ => throw new InputFileException($"unsupported input file extension '{extension}'; use .json or .npy"),
            };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputFileException($"cannot read the file: {ex.Message}");
        }
    }
}
