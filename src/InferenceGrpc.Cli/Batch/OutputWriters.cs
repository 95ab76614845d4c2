using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using InferenceGrpc.Cli.Formatting;
using InferenceGrpc.Cli.Inputs;
using InferenceGrpc.Client;

namespace InferenceGrpc.Cli.Batch;

/// <summary>Writes rows' outputs in row order to the output file; the format follows its extension.</summary>
internal abstract class OutputWriter(OutputFile file) : IDisposable
{
    protected OutputFile File => file;

    /// <summary>
    /// Picks the writer by extension: .jsonl (any outputs), .csv (outputs of fixed row shape, one column per element),
    /// .npy (one numeric output of fixed row shape).
    /// </summary>
    /// <exception cref="InputFileException">A format that cannot hold these outputs.</exception>
    public static OutputWriter Create(string path, IReadOnlyList<TensorLayout> outputs, bool batches, long? resumeAt)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".jsonl" or ".ndjson" => new JsonlOutputWriter(OutputFile.Open(path, resumeAt), outputs, batches),
            ".csv" => new CsvOutputWriter(CsvOutputWriter.Check(outputs), OutputFile.Open(path, resumeAt), batches),
            ".npy" => new NpyOutputWriter(NpyOutputWriter.Check(outputs), OutputFile.Open(path, resumeAt), batches),
            _ => throw new InputFileException($"unsupported output file extension '{extension}'; use .jsonl, .csv or .npy"),
        };
    }

    /// <summary>A fresh file's header, if the format has one.</summary>
    public virtual void Begin(long expectedRows)
    {
    }

    /// <summary>Writes one row that has outputs; all or nothing.</summary>
    /// <exception cref="InvalidOperationException">The outputs do not fit the format (shape, datatype); nothing was written.</exception>
    public abstract void Write(long row, RowOutcome outcome);

    /// <summary>A row that failed: kept in place by formats that number rows by position (.npy), skipped by others.</summary>
    public virtual void WriteFailed(long row)
    {
    }

    /// <summary>The file is complete with <paramref name="rows"/> rows.</summary>
    public virtual void Finish(long rows)
    {
    }

    public long Flush() => file.Flush();

    public void Dispose() => file.Dispose();
}

/// <summary><c>{"row": 7, "OUTPUT0": [flat row-major values], ...}</c> a line; failed rows are only in the errors file.</summary>
internal sealed class JsonlOutputWriter(OutputFile file, IReadOnlyList<TensorLayout> outputs, bool batches) : OutputWriter(file)
{
    private readonly ArrayBufferWriter<byte> _line = new();
    private readonly Utf8JsonWriter _json = new(Stream.Null, OutputFormatter.WriterOptions);

    public override void Write(long row, RowOutcome outcome)
    {
        _line.ResetWrittenCount();
        _json.Reset(_line);
        _json.WriteStartObject();
        _json.WriteNumber("row", row);
        foreach (var output in outputs)
        {
            var slice = RowSlice.Of(outcome, output.Name, batches);
            _json.WriteStartArray(output.Name);
            JsonValues.Write(_json, slice);
            _json.WriteEndArray();
        }

        _json.WriteEndObject();
        _json.Flush();
        File.Stream.Write(_line.WrittenSpan);
        File.Stream.WriteByte((byte)'\n');
    }
}

/// <summary>A header <c>row,OUT_0,OUT_1,...</c> (just <c>OUT</c> for a one-element output), then one line a row.</summary>
internal sealed class CsvOutputWriter(IReadOnlyList<TensorLayout> outputs, OutputFile file, bool batches) : OutputWriter(file)
{
    private readonly StringBuilder _line = new();

    public static IReadOnlyList<TensorLayout> Check(IReadOnlyList<TensorLayout> outputs) =>
        outputs.FirstOrDefault(o => o.FixedVolume is null) is { } free
            ? throw new InputFileException(
                $"output '{free.Name}' has free row dims {CsvRowReader.Dims(free.RowDims)}, so CSV cannot give it fixed columns; write .jsonl")
            : outputs;

    public override void Begin(long expectedRows)
    {
        _line.Clear().Append("row");
        foreach (var output in outputs)
        {
            var volume = output.FixedVolume!.Value;
            for (var i = 0; i < volume; i++)
            {
                _line.Append(',').Append(volume == 1 ? output.Name : $"{output.Name}_{i}");
            }
        }

        WriteLine();
    }

    public override void Write(long row, RowOutcome outcome)
    {
        _line.Clear().Append(row.ToString(CultureInfo.InvariantCulture));
        foreach (var output in outputs)
        {
            var slice = RowSlice.Of(outcome, output.Name, batches);
            var values = TextValues.Format(slice);
            if (values.Count != output.FixedVolume)
            {
                throw new InvalidOperationException($"output '{output.Name}' has {values.Count} elements in a row, not {output.FixedVolume}");
            }

            foreach (var value in values)
            {
                _line.Append(',').Append(Quote(value));
            }
        }

        WriteLine();
    }

    private void WriteLine()
    {
        _line.Append('\n');
        File.Stream.Write(Encoding.UTF8.GetBytes(_line.ToString()));
    }

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

/// <summary>
/// One output as a .npy array of shape (rows, row dims...). A failed row keeps its place, filled with NaN (floats)
/// or 0; the errors file says which. The header is rewritten with the final row count when the file is complete.
/// </summary>
internal sealed class NpyOutputWriter(TensorLayout output, OutputFile file, bool batches) : OutputWriter(file)
{
    private readonly byte[] _fill = FillRow(output);

    public static TensorLayout Check(IReadOnlyList<TensorLayout> outputs)
    {
        if (outputs.Count != 1)
        {
            throw new InputFileException($".npy output holds one output, but {outputs.Count} are selected; pass --output-name, or write .jsonl");
        }

        var output = outputs[0];
        if (output.FixedVolume is null || Descr(output.Datatype) is null)
        {
            throw new InputFileException(
                $".npy output needs a numeric or BOOL output of fixed row dims; '{output.Name}' is {output.Datatype} {CsvRowReader.Dims(output.RowDims)}; write .jsonl");
        }

        return output;
    }

    public override void Begin(long expectedRows) => File.Stream.Write(Header(expectedRows));

    public override void Write(long row, RowOutcome outcome)
    {
        var slice = RowSlice.Of(outcome, output.Name, batches);
        if (slice.Datatype != output.Datatype || slice.Raw.Length != _fill.Length)
        {
            throw new InvalidOperationException(
                $"output '{output.Name}' came as {slice.Datatype} {CsvRowReader.Dims(slice.Shape)}, not {output.Datatype} {CsvRowReader.Dims(output.RowDims)}");
        }

        File.Stream.Write(slice.Raw.Span);
    }

    public override void WriteFailed(long row) => File.Stream.Write(_fill);

    public override void Finish(long rows)
    {
        File.Stream.Flush();
        var end = File.Stream.Position;
        File.Stream.Position = 0;
        File.Stream.Write(Header(rows));
        File.Stream.Position = end;
    }

    /// <summary>A version 1.0 header of a fixed length whatever the row count, so it can be rewritten in place.</summary>
    private byte[] Header(long rows)
    {
        var shape = string.Join(", ", new[] { rows }.Concat(output.RowDims));
        var dict = $"{{'descr': '{Descr(output.Datatype)}', 'fortran_order': False, 'shape': ({shape}{(output.RowDims.Length == 0 ? "," : "")}), }}";
        var widest = dict.Length - rows.ToString(CultureInfo.InvariantCulture).Length + 20;
        var total = (10 + widest + 1 + 63) / 64 * 64;
        var header = new byte[total];
        header.AsSpan().Fill((byte)' ');
        header[0] = 0x93;
        "NUMPY"u8.CopyTo(header.AsSpan(1));
        header[6] = 1;
        header[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)(total - 10));
        Encoding.ASCII.GetBytes(dict, header.AsSpan(10));
        header[^1] = (byte)'\n';
        return header;
    }

    private static string? Descr(string datatype) => datatype switch
    {
        InferDatatype.Bool => "|b1",
        InferDatatype.UInt8 => "|u1",
        InferDatatype.Int8 => "|i1",
        InferDatatype.UInt16 => "<u2",
        InferDatatype.Int16 => "<i2",
        InferDatatype.UInt32 => "<u4",
        InferDatatype.Int32 => "<i4",
        InferDatatype.UInt64 => "<u8",
        InferDatatype.Int64 => "<i8",
        InferDatatype.Fp16 => "<f2",
        InferDatatype.Fp32 => "<f4",
        InferDatatype.Fp64 => "<f8",
        _ => null,
    };

    private static byte[] FillRow(TensorLayout output)
    {
        var size = InferDatatype.GetElementSize(output.Datatype);
        var row = new byte[output.FixedVolume!.Value * size];
        for (var offset = 0; offset < row.Length; offset += size)
        {
            var slot = row.AsSpan(offset, size);
            switch (output.Datatype)
            {
                case InferDatatype.Fp16:
                    BinaryPrimitives.WriteHalfLittleEndian(slot, Half.NaN);
                    break;
                case InferDatatype.Fp32:
                    BinaryPrimitives.WriteSingleLittleEndian(slot, float.NaN);
                    break;
                case InferDatatype.Fp64:
                    BinaryPrimitives.WriteDoubleLittleEndian(slot, double.NaN);
                    break;
            }
        }

        return row;
    }
}
