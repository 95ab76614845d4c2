using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using InferenceGrpc.Client;

namespace InferenceGrpc.Cli.Inputs;

/// <summary>
/// Reads a NumPy <c>.npy</c> file (format versions 1.0, 2.0 and 3.0) into one tensor. Supports
/// C-ordered arrays of bool, (u)int8-64 and float16/32/64 in either byte order, and fixed-width
/// byte strings (<c>S</c>) and unicode strings (<c>U</c>) as BYTES. The name is left unset: a
/// .npy file carries none.
/// </summary>
/// <remarks>Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html</remarks>
internal static class NpyReader
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <exception cref="InputFileException">Not a .npy file, or an array this reader cannot send.</exception>
    public static InputTensor Read(ReadOnlySpan<byte> file)
    {
        if (file.Length < 10 || !file.StartsWith(Magic))
        {
            throw new InputFileException("not a .npy file (missing the \\x93NUMPY magic)");
        }

        int major = file[6], minor = file[7];
        int headerStart;
        long headerLength;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(file[8..]);
                headerStart = 10;
                break;
            case 2 or 3 when file.Length >= 12:
                headerLength = BinaryPrimitives.ReadUInt32LittleEndian(file[8..]);
                headerStart = 12;
                break;
            default:
                throw new InputFileException($".npy format version {major}.{minor} is not supported (1.0, 2.0 and 3.0 are)");
        }

        if (headerLength > file.Length - headerStart)
        {
            throw new InputFileException($".npy header claims {headerLength} bytes but the file is only {file.Length} bytes long");
        }

        // Version 3.0 exists only to allow UTF-8 in the header (field names); 1.0 and 2.0 are Latin-1.
        var headerBytes = file.Slice(headerStart, (int)headerLength);
        var header = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        var (descr, shape) = ParseHeader(header);
        var data = file[(headerStart + (int)headerLength)..];
        return Decode(descr, shape, data);
    }

    private static (string Descr, long[] Shape) ParseHeader(string header)
    {
        object? parsed;
        try
        {
            parsed = PythonLiteral.Parse(header);
        }
        catch (FormatException ex)
        {
            throw new InputFileException($".npy header is not a Python dict literal: {ex.Message}");
        }

        if (parsed is not Dictionary<string, object?> dict)
        {
            throw new InputFileException(".npy header is not a Python dict literal");
        }

        var descr = dict.GetValueOrDefault("descr") switch
        {
            string text => text,
            List<object?> => throw new InputFileException(".npy arrays of structured dtypes (records) are not supported"),
            _ => throw new InputFileException(".npy header has no 'descr' string"),
        };

        switch (dict.GetValueOrDefault("fortran_order"))
        {
            case false:
                break;
            case true:
                throw new InputFileException(
                    ".npy array has fortran_order=True; only C-ordered arrays are supported (save np.ascontiguousarray(a))");
            default:
                throw new InputFileException(".npy header has no 'fortran_order' True/False");
        }

        if (dict.GetValueOrDefault("shape") is not List<object?> dims || !dims.TrueForAll(d => d is long and >= 0))
        {
            throw new InputFileException(".npy header has no 'shape' tuple of non-negative integers");
        }

        return (descr, dims.Select(d => (long)d!).ToArray());
    }

    private static InputTensor Decode(string descr, long[] shape, ReadOnlySpan<byte> data)
    {
        if (descr.Length < 2 || descr[0] is not ('<' or '>' or '|' or '='))
        {
            throw Unsupported(descr);
        }

        // '=' is native order; this tool (like the client) runs on little-endian hosts only.
        var bigEndian = descr[0] == '>';
        var kind = descr[1];
        if (!int.TryParse(descr.AsSpan(2), out var itemSize) || itemSize <= 0)
        {
            throw Unsupported(descr);
        }

        var datatype = (kind, itemSize) switch
        {
            ('S' or 'U', _) => InferDatatype.Bytes,
            ('b', 1) => InferDatatype.Bool,
            ('u', 1) => InferDatatype.UInt8,
            ('u', 2) => InferDatatype.UInt16,
            ('u', 4) => InferDatatype.UInt32,
            ('u', 8) => InferDatatype.UInt64,
            ('i', 1) => InferDatatype.Int8,
            ('i', 2) => InferDatatype.Int16,
            ('i', 4) => InferDatatype.Int32,
            ('i', 8) => InferDatatype.Int64,
            ('f', 2) => InferDatatype.Fp16,
            ('f', 4) => InferDatatype.Fp32,
            ('f', 8) => InferDatatype.Fp64,
            _ => throw Unsupported(descr),
        };

        long volume;
        try
        {
            volume = shape.Aggregate(1L, (acc, dim) => checked(acc * dim));
        }
        catch (OverflowException)
        {
            throw new InputFileException($".npy shape ({string.Join(", ", shape)}) is too large");
        }

        // 'U' counts UTF-32 code units, four bytes each; every other kind counts bytes.
        long elementBytes = kind == 'U' ? 4L * itemSize : itemSize;
        if (volume > long.MaxValue / elementBytes || data.Length != volume * elementBytes)
        {
            var needs = volume > long.MaxValue / elementBytes ? "more than fits in a file" : (volume * elementBytes).ToString(CultureInfo.InvariantCulture);
            throw new InputFileException(
                $".npy data holds {data.Length} bytes but shape ({string.Join(", ", shape)}) of '{descr}' needs {needs}");
        }

        if (datatype == InferDatatype.Bytes)
        {
            return new InputTensor(null, InferDatatype.Bytes, shape, Strings(data, kind, itemSize, bigEndian, volume));
        }

        var raw = data.ToArray();
        if (bigEndian && itemSize > 1)
        {
            for (var offset = 0; offset < raw.Length; offset += itemSize)
            {
                raw.AsSpan(offset, itemSize).Reverse();
            }
        }

        if (datatype == InferDatatype.Bool)
        {
            // numpy writes 0/1, but the wire allows nothing else; normalise anything hand-made.
            for (var i = 0; i < raw.Length; i++)
            {
                raw[i] = raw[i] == 0 ? (byte)0 : (byte)1;
            }
        }

        return new InputTensor(null, datatype, shape, raw);
    }

    /// <summary>
    /// Fixed-width numpy strings become BYTES: 'S' keeps the bytes, 'U' (UTF-32 code points)
    /// becomes UTF-8. numpy pads with NULs and drops trailing NULs on read, so this does too.
    /// </summary>
    private static byte[] Strings(ReadOnlySpan<byte> data, char kind, int itemSize, bool bigEndian, long volume)
    {
        var width = kind == 'U' ? itemSize * 4 : itemSize;
        using var buffer = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        for (long i = 0; i < volume; i++)
        {
            var item = data.Slice((int)(i * width), width);
            byte[] bytes;
            if (kind == 'S')
            {
                bytes = item[..(item.LastIndexOfAnyExcept((byte)0) + 1)].ToArray();
            }
            else
            {
                var text = new StringBuilder();
                for (var c = 0; c < itemSize; c++)
                {
                    var unit = item.Slice(c * 4, 4);
                    var codePoint = bigEndian ? BinaryPrimitives.ReadInt32BigEndian(unit) : BinaryPrimitives.ReadInt32LittleEndian(unit);
                    if (!Rune.IsValid(codePoint))
                    {
                        throw new InputFileException($".npy string {i} holds an invalid code point 0x{codePoint:X}");
                    }

                    text.Append(new Rune(codePoint).ToString());
                }

                bytes = Encoding.UTF8.GetBytes(text.ToString().TrimEnd('\0'));
            }

            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)bytes.Length);
            buffer.Write(length);
            buffer.Write(bytes);
        }

        return buffer.ToArray();
    }

    /// <summary>The header dict of a .npy file whose data is read piecewise (<c>batch</c> reads it row by row).</summary>
    /// <exception cref="InputFileException">Not a header this reader can use.</exception>
    internal static (string Descr, long[] Shape) ParseHeaderText(string header) => ParseHeader(header);

    /// <summary>Decodes whole rows of an array whose bytes were read apart from its header, as <see cref="Read"/> does.</summary>
    /// <exception cref="InputFileException">An unsupported dtype, or bytes that do not match the shape.</exception>
    internal static InputTensor DecodeData(string descr, long[] shape, ReadOnlySpan<byte> data) => Decode(descr, shape, data);

    private static InputFileException Unsupported(string descr) =>
        new($".npy dtype '{descr}' is not supported; use bool, (u)int8-64, float16/32/64, or S/U strings " +
            "(bfloat16 has no standard .npy dtype: send it with a JSON input)");
}
