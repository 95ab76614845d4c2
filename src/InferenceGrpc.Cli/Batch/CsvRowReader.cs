using InferenceGrpc.Cli.Inputs;

namespace InferenceGrpc.Cli.Batch;

/// <summary>
/// CSV input. The first record is a header, mapped onto the model in one of two ways:
/// <list type="bullet">
/// <item>every column is named after a model input and every input has a column: each column is one input, one
/// element per row (for inputs whose row holds one element, e.g. dims [1]);</item>
/// <item>otherwise the columns are the features of one input (the model's only input, or <c>--input-name</c>), in
/// column order: the row is a vector of as many elements as there are columns, shaped as the input's row dims when
/// they are fixed.</item>
/// </list>
/// </summary>
internal sealed class CsvRowReader : IRowReader
{
    private readonly StreamReader _file;
    private readonly CsvRecordReader _records;
    private readonly string[] _header;
    private readonly (TensorLayout Input, int First, int Count, long[] Shape)[] _mapping;
    private long _next;

    public CsvRowReader(string path, ModelLayout layout, string? inputName, long? totalRows)
    {
        _file = RowFiles.OpenText(path);
        try
        {
            _records = new CsvRecordReader(_file);
            _header = ReadHeader(_records, path);
            _mapping = Map(_header, layout, inputName, path);
            TotalRows = totalRows;
        }
        catch
        {
            _file.Dispose();
            throw;
        }
    }

    public long? TotalRows { get; }

    public long Skip(long count)
    {
        long skipped = 0;
        while (skipped < count && ReadFields() is not null)
        {
            skipped++;
        }

        _next += skipped;
        return skipped;
    }

    public BatchRow? Read()
    {
        var fields = ReadFields();
        if (fields is null)
        {
            return null;
        }

        var index = _next++;
        if (fields.Length != _header.Length)
        {
            return BatchRow.Failed(index, $"line {_records.Line}: {fields.Length} fields, but the header has {_header.Length}");
        }

        var tensors = new InputTensor[_mapping.Length];
        try
        {
            for (var i = 0; i < _mapping.Length; i++)
            {
                var (input, first, count, shape) = _mapping[i];
                var data = CsvValues.Encode(input.Datatype, fields.AsSpan(first, count), _header.AsSpan(first, count));
                tensors[i] = new InputTensor(input.Name, input.Datatype, shape, data);
            }
        }
        catch (FormatException ex)
        {
            return BatchRow.Failed(index, $"line {_records.Line}: {ex.Message}");
        }

        return new BatchRow(index, tensors, null);
    }

    public void Dispose() => _file.Dispose();

    private string[]? ReadFields()
    {
        try
        {
            return _records.Read();
        }
        catch (FormatException ex)
        {
            throw new InputFileException(ex.Message);
        }
    }

    private static string[] ReadHeader(CsvRecordReader records, string path)
    {
        string[]? header;
        try
        {
            header = records.Read();
        }
        catch (FormatException ex)
        {
            throw new InputFileException(ex.Message);
        }

        return header is null
            ? throw new InputFileException($"{path} is empty; a CSV input starts with a header line")
            : Array.ConvertAll(header, h => h.Trim());
    }

    private static (TensorLayout, int, int, long[])[] Map(string[] header, ModelLayout layout, string? inputName, string path)
    {
        var named = header.Select(layout.FindInput).ToArray();
        if (inputName is null && named.All(i => i is not null) && header.Distinct().Count() == header.Length
            && layout.Inputs.All(i => header.Contains(i.Name)))
        {
            return named.Select((input, column) =>
            {
                if (input!.FixedVolume is not (1 or null))
                {
                    throw new InputFileException(
                        $"{path}: column '{input.Name}' gives one value a row, but input '{input.Name}' takes {input.FixedVolume} " +
                        $"(row dims {Dims(input.RowDims)}); name the columns after features of one input, or use JSONL or .npy");
                }

                return (input, column, 1, Array.ConvertAll(input.RowDims, d => d < 0 ? 1 : d));
            }).ToArray();
        }

        var target = RowFiles.SingleInput(layout, inputName, path, "a CSV header that does not name every input");
        return [(target, 0, header.Length, FeatureShape(target, header.Length, path))];
    }

    private static long[] FeatureShape(TensorLayout input, int columns, string path)
    {
        if (input.FixedVolume is { } volume)
        {
            return volume == columns
                ? input.RowDims
                : throw new InputFileException(
                    $"{path}: {columns} columns, but a row of input '{input.Name}' holds {volume} elements (row dims {Dims(input.RowDims)})");
        }

        return input.RowDims.Length <= 1
            ? [columns]
            : throw new InputFileException(
                $"{path}: cannot lay {columns} columns onto input '{input.Name}' with free row dims {Dims(input.RowDims)}; use JSONL or .npy");
    }

    internal static string Dims(long[] dims) => "[" + string.Join(", ", dims) + "]";
}
