using System.Buffers.Binary;
using System.Text;
using InferenceGrpc.Cli.Inputs;

namespace InferenceGrpc.Cli.Batch;

/// <summary>
/// .npy input, one file per input: the first dimension is the rows, the rest one row's shape. Several files are read
/// side by side (<c>--input NAME=path</c> each) and must have as many rows. Only the header and the current row are
/// read into memory; a resumed run seeks past the rows already done.
/// </summary>
internal sealed class NpyRowReader : IRowReader
{
    private readonly NpyColumn[] _arrays;
    private long _next;

    public NpyRowReader(IReadOnlyList<(TensorLayout Input, string Path)> files)
    {
        var arrays = new List<NpyColumn>();
        try
        {
            foreach (var (input, path) in files)
            {
                arrays.Add(NpyColumn.Open(input, path));
            }

            var rows = arrays[0].Rows;
            if (arrays.Find(a => a.Rows != rows) is { } other)
            {
                throw new InputFileException($"{files[0].Path} has {rows} rows but {other.Path} has {other.Rows}; every .npy input needs the same rows");
            }

            TotalRows = rows;
        }
        catch
        {
            arrays.ForEach(a => a.Dispose());
            throw;
        }

        _arrays = [.. arrays];
    }

    public long? TotalRows { get; }

    public long Skip(long count)
    {
        var skipped = Math.Min(count, TotalRows!.Value - _next);
        _next += skipped;
        foreach (var array in _arrays)
        {
            array.Seek(_next);
        }

        return skipped;
    }

    public BatchRow? Read()
    {
        if (_next == TotalRows)
        {
            return null;
        }

        var tensors = new InputTensor[_arrays.Length];
        for (var i = 0; i < _arrays.Length; i++)
        {
            tensors[i] = _arrays[i].ReadRow(_next);
        }

        return new BatchRow(_next++, tensors, null);
    }

    public void Dispose()
    {
        foreach (var array in _arrays)
        {
            array.Dispose();
        }
    }

    private sealed class NpyColumn(TensorLayout input, string path, FileStream stream, string descr, long[] rowShape, long rows, long rowBytes) : IDisposable
    {
        private readonly long _dataStart = stream.Position;
        private readonly byte[] _row = new byte[rowBytes];   // reused for rows that are decoded (copied) anyway

        public string Path => path;

        public long Rows => rows;

        public static NpyColumn Open(TensorLayout input, string path)
        {
            var stream = RowFiles.OpenRead(path);
            try
            {
                var (descr, shape) = NpyReader.ParseHeaderText(ReadHeader(stream, path));
                if (shape.Length == 0)
                {
                    throw new InputFileException($"{path} holds a 0-d array; its first dimension must be the rows");
                }

                var rowShape = shape[1..];
                var volume = rowShape.Aggregate(1L, (a, d) => checked(a * d));
                var elementBytes = ElementBytes(descr, path);

                // A file the model can never take fails now, not once per row at the server.
                var probe = NpyReader.DecodeData(descr, [0, .. rowShape], []);
                if (probe.Datatype != input.Datatype)
                {
                    throw new InputFileException($"{path} holds {probe.Datatype} ('{descr}') but input '{input.Name}' is {input.Datatype}");
                }

                if (input.FixedVolume is { } fixedVolume && fixedVolume != volume)
                {
                    throw new InputFileException(
                        $"{path}: a row has shape {CsvRowReader.Dims(rowShape)} ({volume} elements) but input '{input.Name}' takes row dims {CsvRowReader.Dims(input.RowDims)}");
                }

                var modelShape = input.FixedVolume is not null ? input.RowDims : rowShape;
                return new NpyColumn(input, path, stream, descr, modelShape, shape[0], checked(volume * elementBytes));
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }

        public void Seek(long row) => stream.Position = _dataStart + row * rowBytes;

        public InputTensor ReadRow(long row)
        {
            // Little-endian numbers are already wire format: read into the row's own array, no decode copy.
            var raw = AsIs ? new byte[rowBytes] : _row;
            try
            {
                stream.ReadExactly(raw);
            }
            catch (EndOfStreamException)
            {
                throw new InputFileException($"{path} ends inside row {row}; the header promises {rows} rows");
            }

            return AsIs
                ? new InputTensor(input.Name, input.Datatype, rowShape, raw)
                : NpyReader.DecodeData(descr, rowShape, raw) with { Name = input.Name };
        }

        /// <summary>Bytes that need no decoding: little-endian (or single-byte) numbers; not BOOL (normalised to 0/1) or strings.</summary>
        private bool AsIs => descr[0] is '<' or '|' or '=' && descr[1] is 'u' or 'i' or 'f';

        public void Dispose() => stream.Dispose();

        private static string ReadHeader(FileStream stream, string path)
        {
            Span<byte> prefix = stackalloc byte[12];
            try
            {
                stream.ReadExactly(prefix[..10]);
                if (prefix[0] != 0x93 || !prefix[1..6].SequenceEqual("NUMPY"u8))
                {
                    throw new InputFileException($"{path} is not a .npy file (missing the \\x93NUMPY magic)");
                }

                int major = prefix[6];
                long length;
                if (major == 1)
                {
                    length = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]);
                }
                else if (major is 2 or 3)
                {
                    stream.ReadExactly(prefix[10..12]);
                    length = BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
                }
                else
                {
                    throw new InputFileException($"{path}: .npy format version {major}.{prefix[7]} is not supported (1.0, 2.0 and 3.0 are)");
                }

                var header = new byte[length];
                stream.ReadExactly(header);
                return major == 3 ? Encoding.UTF8.GetString(header) : Encoding.Latin1.GetString(header);
            }
            catch (EndOfStreamException)
            {
                throw new InputFileException($"{path} ends inside its .npy header");
            }
        }

        private static long ElementBytes(string descr, string path) =>
            descr.Length >= 3 && int.TryParse(descr.AsSpan(2), out var size) && size > 0
                ? descr[1] == 'U' ? 4L * size : size
                : throw new InputFileException($"{path}: .npy dtype '{descr}' is not supported");
    }
}
