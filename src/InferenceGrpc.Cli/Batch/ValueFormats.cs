using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using InferenceGrpc.Cli.Inputs;
using InferenceGrpc.Client;

namespace InferenceGrpc.Cli.Batch;

/// <summary>
/// The elements of a row slice as shortest round-trip text, as <c>infer</c> prints them: non-finite floats as NaN,
/// Infinity and -Infinity, BOOL as true/false, BYTES as UTF-8 text.
/// </summary>
internal static class TextValues
{
    public static List<string> Format(RowSlice slice)
    {
        var values = new List<string>();
        if (slice.Strings is { } strings)
        {
            values.AddRange(strings.Select(s => Encoding.UTF8.GetString(s)));
            return values;
        }

        var raw = slice.Raw.Span;
        var size = InferDatatype.GetElementSize(slice.Datatype);
        var c = CultureInfo.InvariantCulture;
        for (var offset = 0; offset + size <= raw.Length; offset += size)
        {
            var e = raw.Slice(offset, size);
            values.Add(slice.Datatype switch
            {
                InferDatatype.Bool => e[0] != 0 ? "true" : "false",
                InferDatatype.UInt8 => e[0].ToString(c),
                InferDatatype.Int8 => ((sbyte)e[0]).ToString(c),
                InferDatatype.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(e).ToString(c),
                InferDatatype.Int16 => BinaryPrimitives.ReadInt16LittleEndian(e).ToString(c),
                InferDatatype.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(e).ToString(c),
                InferDatatype.Int32 => BinaryPrimitives.ReadInt32LittleEndian(e).ToString(c),
                InferDatatype.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(e).ToString(c),
                InferDatatype.Int64 => BinaryPrimitives.ReadInt64LittleEndian(e).ToString(c),
                InferDatatype.Fp16 => BinaryPrimitives.ReadHalfLittleEndian(e).ToString("R", c),
                InferDatatype.Bf16 => BFloat16.ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(e)).ToString("R", c),
                InferDatatype.Fp32 => BinaryPrimitives.ReadSingleLittleEndian(e).ToString("R", c),
                InferDatatype.Fp64 => BinaryPrimitives.ReadDoubleLittleEndian(e).ToString("R", c),
                _ => throw new InvalidOperationException($"datatype {slice.Datatype} has no text form"),
            });
        }

        return values;
    }
}

/// <summary>The elements of a row slice as JSON array items: numbers, booleans, strings; non-finite floats as strings.</summary>
internal static class JsonValues
{
    public static void Write(Utf8JsonWriter json, RowSlice slice)
    {
        if (slice.Strings is { } strings)
        {
            foreach (var s in strings)
            {
                json.WriteStringValue(Encoding.UTF8.GetString(s));
            }

            return;
        }

        var raw = slice.Raw.Span;
        switch (slice.Datatype)
        {
            case InferDatatype.Bool:
                foreach (var b in raw)
                {
                    json.WriteBooleanValue(b != 0);
                }

                break;
            case InferDatatype.Fp32:
                for (var i = 0; i + sizeof(float) <= raw.Length; i += sizeof(float))
                {
                    var f = BinaryPrimitives.ReadSingleLittleEndian(raw[i..]);
                    if (float.IsFinite(f))
                    {
                        json.WriteNumberValue(f);
                    }
                    else
                    {
                        json.WriteStringValue(f.ToString(CultureInfo.InvariantCulture));
                    }
                }

                break;
            case InferDatatype.Fp64:
                for (var i = 0; i + sizeof(double) <= raw.Length; i += sizeof(double))
                {
                    var d = BinaryPrimitives.ReadDoubleLittleEndian(raw[i..]);
                    if (double.IsFinite(d))
                    {
                        json.WriteNumberValue(d);
                    }
                    else
                    {
                        json.WriteStringValue(d.ToString(CultureInfo.InvariantCulture));
                    }
                }

                break;
            default:
                // The rarer types go through text: integers and halves print the same either way.
                foreach (var text in TextValues.Format(slice))
                {
                    if (text is "NaN" or "Infinity" or "-Infinity")
                    {
                        json.WriteStringValue(text);
                    }
                    else
                    {
                        json.WriteRawValue(text, skipInputValidation: true);
                    }
                }

                break;
        }
    }
}
