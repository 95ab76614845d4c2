using InferenceGrpc.Cli.Inputs;

namespace InferenceGrpc.Cli.Batch;

/// <summary>Opens the input file(s) of a batch job with the reader their extension names.</summary>
internal static class RowFiles
{
    private const int BufferSize = 1 << 16;

    /// <summary>
    /// <paramref name="inputs"/>: one path (.csv, .jsonl, .npy), or for .npy one <c>NAME=path</c> per model input.
    /// </summary>
    /// <exception cref="InputFileException">A file that cannot be read, or one that does not fit the model.</exception>
    public static IRowReader Open(IReadOnlyList<string> inputs, ModelLayout layout, string? inputName)
    {
        if (inputs.Count == 0)
        {
            throw new InputFileException("no --input given");
        }

        var specs = inputs.Select(Split).ToArray();
        var extension = Path.GetExtension(specs[0].Path).ToLowerInvariant();
        if (specs.Length > 1 && (extension != ".npy" || specs.Any(s => s.Name is null || Path.GetExtension(s.Path).ToLowerInvariant() != ".npy")))
        {
            throw new InputFileException("several --input files must all be .npy, each given as NAME=path");
        }

        if (extension != ".npy" && specs[0].Name is not null)
        {
            throw new InputFileException("NAME=path is for .npy inputs; a CSV header or JSONL keys name the inputs");
        }

        return extension switch
        {
            ".csv" => new CsvRowReader(specs[0].Path, layout, inputName, CountRows(specs[0].Path, csv: true) - 1),
            ".jsonl" or ".ndjson" => new JsonlRowReader(specs[0].Path, layout, CountRows(specs[0].Path, csv: false)),
            ".npy" => new NpyRowReader(NpyInputs(specs, layout, inputName)),
            _ => throw new InputFileException($"unsupported input file extension '{extension}'; use .csv, .jsonl or .npy"),
        };
    }

    /// <summary>The input a single-tensor file feeds: <paramref name="inputName"/>, else the model's only input.</summary>
    public static TensorLayout SingleInput(ModelLayout layout, string? inputName, string path, string what)
    {
        if (inputName is not null)
        {
            return layout.FindInput(inputName)
                ?? throw new InputFileException($"--input-name '{inputName}' is not an input of the model; its inputs are [{string.Join(", ", layout.Inputs.Select(i => i.Name))}]");
        }

        return layout.Inputs.Count == 1
            ? layout.Inputs[0]
            : throw new InputFileException(
                $"{path}: the model has {layout.Inputs.Count} inputs, so {what} needs --input-name to say which one it feeds");
    }

    public static StreamReader OpenText(string path) => new(OpenRead(path), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, BufferSize);

    public static FileStream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputFileException($"cannot read {path}: {ex.Message}");
        }
    }

    /// <summary>
    /// Records of a text file, as the readers count them (blank lines skipped; for CSV a newline inside double quotes
    /// does not end a record), by one pass over its bytes: progress can then show a total and an ETA.
    /// </summary>
    internal static long CountRows(string path, bool csv)
    {
        using var stream = OpenRead(path);
        var buffer = new byte[BufferSize];
        long records = 0;
        var content = false;
        var quoted = false;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            foreach (var b in buffer.AsSpan(0, read))
            {
                if (b == (byte)'"' && csv)
                {
                    quoted = !quoted;
                    content = true;
                }
                else if (b == (byte)'\n' && !quoted)
                {
                    records += content ? 1 : 0;
                    content = false;
                }
                else if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                {
                    content = true;
                }
            }
        }

        return records + (content ? 1 : 0);
    }

    private static (string? Name, string Path) Split(string spec)
    {
        // NAME=path only when the part before '=' is not itself a path.
        var equals = spec.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 && spec.IndexOfAny(['/', '\\'], 0, equals) < 0 ? (spec[..equals], spec[(equals + 1)..]) : (null, spec);
    }

    private static List<(TensorLayout, string)> NpyInputs((string? Name, string Path)[] specs, ModelLayout layout, string? inputName)
    {
        if (specs.Length == 1 && specs[0].Name is null)
        {
            return [(SingleInput(layout, inputName, specs[0].Path, "a .npy input"), specs[0].Path)];
        }

        if (inputName is not null)
        {
            throw new InputFileException("--input-name is for one unnamed .npy input; NAME=path already names each");
        }

        return specs.Select(s => (layout.FindInput(s.Name!)
            ?? throw new InputFileException($"'{s.Name}' is not an input of the model; its inputs are [{string.Join(", ", layout.Inputs.Select(i => i.Name))}]"),
            s.Path)).ToList();
    }
}
