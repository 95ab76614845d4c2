using System.Globalization;
using System.Text.Json;
using InferenceGrpc.Core.Monitoring.Drift;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Cli.Inputs;

/// <summary>One input's column of a dataset: <see cref="Rows"/> rows of <see cref="RowElements"/> values, row-major.</summary>
/// <param name="Name">Null when the file does not say (.npy, CSV): the model's only input, or --input-name.</param>
internal sealed record DatasetInput(string? Name, int Rows, int RowElements, double[] Values);

/// <summary>
/// Reads a dataset of many rows for <c>baseline</c>: CSV (a header, then one row per line, every column a feature of
/// one input, in order; empty or NaN is missing), JSONL (one object per line, input name to a number or a nested
/// array of numbers, null is missing) or .npy (the first axis is the rows, through <see cref="NpyReader"/>).
/// </summary>
internal static class DatasetReader
{
    /// <exception cref="InputFileException">Unreadable, unknown extension, or inconsistent rows.</exception>
    public static IReadOnlyList<DatasetInput> Load(string path)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        try
        {
            return extension switch
            {
                ".csv" => [ReadCsv(File.ReadLines(path))],
                ".jsonl" or ".ndjson" => ReadJsonLines(File.ReadLines(path)),
                ".npy" => [ReadNpy(File.ReadAllBytes(path))],
                _ => throw new InputFileException($"unsupported dataset extension '{extension}'; use .csv, .jsonl or .npy"),
            };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputFileException($"cannot read the file: {ex.Message}");
        }
    }

    public static DatasetInput ReadCsv(IEnumerable<string> lines)
    {
        var values = new List<double>();
        int columns = -1, rows = 0, lineNumber = 0;
        foreach (var line in lines)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var cells = line.Split(',');
            if (columns < 0)
            {
                columns = cells.Length;   // the header: names are for people, features are positions
                continue;
            }

            if (cells.Length != columns)
            {
                throw new InputFileException($"line {lineNumber}: expected {columns} columns as in the header, got {cells.Length}");
            }

            foreach (var cell in cells)
            {
                values.Add(ParseCell(cell.Trim().Trim('"'), lineNumber));
            }

            rows++;
        }

        return rows > 0
            ? new DatasetInput(null, rows, columns, values.ToArray())
            : throw new InputFileException("expected a header line and at least one row, got none");
    }

    public static IReadOnlyList<DatasetInput> ReadJsonLines(IEnumerable<string> lines)
    {
        var columns = new Dictionary<string, (int RowElements, List<double> Values)>(StringComparer.Ordinal);
        int rows = 0, lineNumber = 0;
        foreach (var line in lines)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var document = Parse(line, lineNumber);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InputFileException($"line {lineNumber}: expected an object of input name to values, got {document.RootElement.ValueKind}");
            }

            var seen = 0;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var row = new List<double>();
                Flatten(property.Value, row, lineNumber, property.Name);
                if (!columns.TryGetValue(property.Name, out var column))
                {
                    if (rows > 0)
                    {
                        throw new InputFileException($"line {lineNumber}: input '{property.Name}' is not in the first row");
                    }

                    column = (row.Count, []);
                    columns[property.Name] = column;
                }
                else if (column.RowElements != row.Count)
                {
                    throw new InputFileException($"line {lineNumber}: input '{property.Name}': expected {column.RowElements} values as in the first row, got {row.Count}");
                }

                column.Values.AddRange(row);
                seen++;
            }

            if (seen != columns.Count)
            {
                throw new InputFileException($"line {lineNumber}: expected the inputs {string.Join(", ", columns.Keys)}, got {seen} of them");
            }

            rows++;
        }

        return rows > 0
            ? columns.Select(c => new DatasetInput(c.Key, rows, c.Value.RowElements, c.Value.Values.ToArray())).ToArray()
            : throw new InputFileException("expected at least one row, got none");
    }

    public static DatasetInput ReadNpy(ReadOnlySpan<byte> file)
    {
        var tensor = NpyReader.Read(file);
        if (!DataTypes.TryParseWireName(tensor.Datatype, out var type) || !NumericElements.IsNumeric(type))
        {
            throw new InputFileException($"expected a numeric array, got {tensor.Datatype}");
        }

        if (tensor.Shape.Length == 0 || tensor.Shape[0] < 1)
        {
            throw new InputFileException($"expected the first axis to be the rows, got shape {TensorShape.Format(tensor.Shape)}");
        }

        var rows = (int)tensor.Shape[0];
        var values = new double[tensor.Data.Length / type.ElementSize()];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = NumericElements.Read(type, tensor.Data, i);
        }

        return new DatasetInput(null, rows, values.Length / rows, values);
    }

    private static JsonDocument Parse(string line, int lineNumber)
    {
        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            throw new InputFileException($"line {lineNumber}: not valid JSON: {ex.Message}");
        }
    }

    private static void Flatten(JsonElement element, List<double> row, int lineNumber, string input)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, row, lineNumber, input);
                }

                break;
            case JsonValueKind.Number:
                row.Add(element.GetDouble());
                break;
            case JsonValueKind.Null:
                row.Add(double.NaN);
                break;
            case JsonValueKind.True or JsonValueKind.False:
                row.Add(element.GetBoolean() ? 1 : 0);
                break;
            default:
                throw new InputFileException($"line {lineNumber}: input '{input}': expected numbers, null or nested arrays of them, got {element.ValueKind}");
        }
    }

    private static double ParseCell(string cell, int lineNumber)
    {
        if (cell.Length == 0 || cell.Equals("nan", StringComparison.OrdinalIgnoreCase) || cell.Equals("null", StringComparison.OrdinalIgnoreCase))
        {
            return double.NaN;
        }

        return double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InputFileException($"line {lineNumber}: expected a number, got '{cell}'");
    }
}
