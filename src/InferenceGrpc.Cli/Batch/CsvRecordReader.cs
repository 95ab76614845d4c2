using System.Text;

namespace InferenceGrpc.Cli.Batch;

/// <summary>
/// RFC 4180 records from a text reader: comma-separated, fields may be double-quoted (a quote inside is doubled,
/// and a quoted field may span lines). Blank lines are skipped, so they are not rows.
/// </summary>
internal sealed class CsvRecordReader(TextReader reader)
{
    /// <summary>The line the last record ended on (1-based), for messages.</summary>
    public long Line { get; private set; }

    /// <summary>The next record's fields; null at the end.</summary>
    /// <exception cref="FormatException">A quoted field is never closed.</exception>
    public string[]? Read()
    {
        string? line;
        do
        {
            line = reader.ReadLine();
            if (line is null)
            {
                return null;
            }

            Line++;
        }
        while (string.IsNullOrWhiteSpace(line));

        // Most numeric files never quote: split without building each field by hand.
        return line.Contains('"') ? ReadQuoted(line) : line.Split(',');
    }

    private string[] ReadQuoted(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var i = 0;
        while (true)
        {
            if (i == line.Length)
            {
                if (!quoted)
                {
                    break;
                }

                line = reader.ReadLine() ?? throw new FormatException($"line {Line}: a quoted field is not closed before the end of the file");
                Line++;
                field.Append('\n');
                i = 0;
                continue;
            }

            var c = line[i++];
            if (quoted)
            {
                if (c != '"')
                {
                    field.Append(c);
                }
                else if (i < line.Length && line[i] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else
                {
                    quoted = false;
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return [.. fields];
    }
}
