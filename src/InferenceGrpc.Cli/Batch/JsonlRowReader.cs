using System.Text.Json;
using InferenceGrpc.Cli.Inputs;

namespace InferenceGrpc.Cli.Batch;

/// <summary>
/// JSON Lines input: one object a line, <c>{"INPUT0": [...], "INPUT1": [...]}</c>, each value one row of that input
/// (a number, or an array, flat or nested; the model's datatype decides the encoding, as in <c>infer</c>'s JSON). A
/// value whose element count equals the input's fixed row volume takes the input's row dims; any other takes the
/// dims of its nesting, and the server judges it. Blank lines are not rows.
/// </summary>
internal sealed class JsonlRowReader(string path, ModelLayout layout, long? totalRows) : IRowReader
{
    private readonly StreamReader _file = RowFiles.OpenText(path);
    private readonly Dictionary<string, int> _order = layout.Inputs.Select((input, i) => (input.Name, i)).ToDictionary(p => p.Name, p => p.i);
    private long _next;
    private long _line;

    public long? TotalRows { get; } = totalRows;

    public long Skip(long count)
    {
        long skipped = 0;
        while (skipped < count && NextLine() is not null)
        {
            skipped++;
        }

        _next += skipped;
        return skipped;
    }

    public BatchRow? Read()
    {
        var line = NextLine();
        if (line is null)
        {
            return null;
        }

        var index = _next++;
        try
        {
            return new BatchRow(index, Parse(line), null);
        }
        catch (Exception ex) when (ex is JsonException or InputFileException)
        {
            return BatchRow.Failed(index, $"line {_line}: {ex.Message}");
        }
    }

    public void Dispose() => _file.Dispose();

    private string? NextLine()
    {
        string? line;
        do
        {
            line = _file.ReadLine();
            _line++;
        }
        while (line is not null && string.IsNullOrWhiteSpace(line));

        return line;
    }

    private InputTensor[] Parse(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InputFileException($"expected an object of input name to values, found {root.ValueKind}");
        }

        var tensors = new List<InputTensor>();
        foreach (var property in root.EnumerateObject())
        {
            var input = layout.FindInput(property.Name)
                ?? throw new InputFileException(
                    $"'{property.Name}' is not an input of the model; its inputs are [{string.Join(", ", layout.Inputs.Select(i => i.Name))}]");
            var data = JsonInputReader.EncodeData(input.Datatype, property.Value, $"'{input.Name}'", out var count);
            tensors.Add(new InputTensor(input.Name, input.Datatype, Shape(input, property.Value, count), data));
        }

        // Model order, so rows that name their inputs in another order still share a request.
        tensors.Sort((a, b) => _order[a.Name!].CompareTo(_order[b.Name!]));
        return [.. tensors];
    }

    private static long[] Shape(TensorLayout input, JsonElement value, int count)
    {
        if (input.FixedVolume == count)
        {
            return input.RowDims;
        }

        var dims = new List<long>();
        for (var e = value; e.ValueKind == JsonValueKind.Array; e = e.GetArrayLength() > 0 ? e[0] : default)
        {
            dims.Add(e.GetArrayLength());
            if (e.GetArrayLength() == 0)
            {
                break;
            }
        }

        var volume = dims.Aggregate(1L, (a, d) => a * d);
        return volume == count
            ? [.. dims]
            : throw new InputFileException($"'{input.Name}' is a ragged array: {count} values do not fill dims {CsvRowReader.Dims([.. dims])}");
    }
}
