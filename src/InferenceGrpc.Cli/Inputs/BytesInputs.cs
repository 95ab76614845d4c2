using System.Buffers.Binary;
using System.Text;

namespace InferenceGrpc.Cli.Inputs;

/// <summary>
/// BYTES inputs from the command line, for models that take raw text or image files (the built-in processors):
/// <c>--text NAME=STRING</c>, <c>--text-file NAME=PATH</c> (one row per non-empty line) and <c>--image NAME=PATH</c>
/// (the file's bytes, one row). Each adds rows to the named input, in order, as a [rows, 1] BYTES tensor; without
/// <c>NAME=</c> the rows go to the model's only input.
/// </summary>
internal static class BytesInputs
{
    public static IReadOnlyList<InputTensor> Read(IEnumerable<string> texts, IEnumerable<string> textFiles, IEnumerable<string> images)
    {
        var rows = new List<(string? Name, List<byte[]> Rows)>();
        foreach (var text in texts)
        {
            var (name, value) = Split(text);
            Rows(rows, name).Add(Encoding.UTF8.GetBytes(value));
        }

        foreach (var spec in textFiles)
        {
            var (name, path) = Split(spec);
            Rows(rows, name).AddRange(ReadFile(path, File.ReadAllLines).Where(l => l.Length > 0).Select(Encoding.UTF8.GetBytes));
        }

        foreach (var spec in images)
        {
            var (name, path) = Split(spec);
            Rows(rows, name).Add(ReadFile(path, File.ReadAllBytes));
        }

        return rows.Select(r => new InputTensor(r.Name, "BYTES", [r.Rows.Count, 1], Encode(r.Rows))).ToList();
    }

    /// <summary>"NAME=value" when the part before '=' looks like a tensor name (no spaces), else the whole is the value.</summary>
    private static (string? Name, string Value) Split(string spec)
    {
        var eq = spec.IndexOf('=', StringComparison.Ordinal);
        return eq > 0 && !spec.AsSpan(0, eq).ContainsAny(" \t\"'") ? (spec[..eq], spec[(eq + 1)..]) : (null, spec);
    }

    private static List<byte[]> Rows(List<(string? Name, List<byte[]> Rows)> all, string? name)
    {
        foreach (var entry in all)
        {
            if (entry.Name == name)
            {
                return entry.Rows;
            }
        }

        all.Add((name, []));
        return all[^1].Rows;
    }

    private static T ReadFile<T>(string path, Func<string, T> read)
    {
        try
        {
            return read(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputFileException($"cannot read '{path}': {ex.Message}");
        }
    }

    /// <summary>The wire layout of BYTES: each element a 4-byte little-endian length, then its bytes.</summary>
    private static byte[] Encode(List<byte[]> elements)
    {
        var buffer = new byte[elements.Sum(e => 4 + e.Length)];
        var offset = 0;
        foreach (var element in elements)
        {
            BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(offset), element.Length);
            element.CopyTo(buffer, offset + 4);
            offset += 4 + element.Length;
        }

        return buffer;
    }
}
