using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using InferenceGrpc.Cli.Inputs;
using InferenceGrpc.Client;

namespace InferenceGrpc.Cli.Formatting;

/// <summary>
/// Writes an inference result as one line of JSON in the KServe v2 REST response shape:
/// <c>{"model_name", "model_version", "id", "outputs": [{"name", "datatype", "shape", "data"}]}</c>
/// with flat row-major data. FP16 and BF16 print as numbers, BYTES as strings (invalid UTF-8
/// becomes U+FFFD), and non-finite floats as the strings "NaN", "Infinity" and "-Infinity",
/// which the JSON input reader accepts back.
/// </summary>
internal static class OutputFormatter
{
    internal static readonly JsonWriterOptions WriterOptions = new()
    {
        // A terminal, not an HTML page, reads this: print non-ASCII text as itself.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <exception cref="InvalidOperationException">An output's data does not match its shape or datatype.</exception>
    public static string Format(InferResult result)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("model_name", result.ModelName);
            json.WriteString("model_version", result.ModelVersion);
            json.WriteString("id", result.Id);
            json.WriteStartArray("outputs");
            foreach (var name in result.OutputNames)
            {
                var datatype = result.GetDatatype(name);
                json.WriteStartObject();
                json.WriteString("name", name);
                json.WriteString("datatype", datatype);
                json.WriteStartArray("shape");
                foreach (var dim in result.GetShape(name))
                {
                    json.WriteNumberValue(dim);
                }

                json.WriteEndArray();
                WriteData(json, result, name, datatype);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteData(Utf8JsonWriter json, InferResult result, string name, string datatype)
    {
        if (!InferDatatype.IsKnown(datatype))
        {
            // Still show what came back rather than failing the whole response.
            json.WriteBase64String("raw_base64", result.GetRaw(name).Span);
            return;
        }

        json.WriteStartArray("data");
        switch (datatype)
        {
            case InferDatatype.Bool:
                Each(result.GetOutput<bool>(name), json.WriteBooleanValue);
                break;
            case InferDatatype.UInt8:
                Each(result.GetOutput<byte>(name), v => json.WriteNumberValue(v));
                break;
            case InferDatatype.UInt16:
                Each(result.GetOutput<ushort>(name), v => json.WriteNumberValue(v));
                break;
            case InferDatatype.UInt32:
                Each(result.GetOutput<uint>(name), json.WriteNumberValue);
                break;
            case InferDatatype.UInt64:
                Each(result.GetOutput<ulong>(name), json.WriteNumberValue);
                break;
            case InferDatatype.Int8:
                Each(result.GetOutput<sbyte>(name), v => json.WriteNumberValue(v));
                break;
            case InferDatatype.Int16:
                Each(result.GetOutput<short>(name), v => json.WriteNumberValue(v));
                break;
            case InferDatatype.Int32:
                Each(result.GetOutput<int>(name), json.WriteNumberValue);
                break;
            case InferDatatype.Int64:
                Each(result.GetOutput<long>(name), json.WriteNumberValue);
                break;
            case InferDatatype.Fp16:
                Each(result.GetOutput<Half>(name), v => WriteHalf(json, v));
                break;
            case InferDatatype.Bf16:
                WriteBFloat16(json, result, name);
                break;
            case InferDatatype.Fp32:
                Each(result.GetOutput<float>(name), v => WriteSingle(json, v));
                break;
            case InferDatatype.Fp64:
                Each(result.GetOutput<double>(name), v => WriteDouble(json, v));
                break;
            case InferDatatype.Bytes:
                foreach (var element in result.GetBytes(name))
                {
                    json.WriteStringValue(Encoding.UTF8.GetString(element));
                }

                break;
        }

        json.WriteEndArray();
    }

    private static void WriteBFloat16(Utf8JsonWriter json, InferResult result, string name)
    {
        var raw = result.GetRaw(name).Span;
        var count = result.GetShape(name).Aggregate(1L, (acc, dim) => acc * dim);
        if (raw.Length != count * sizeof(ushort))
        {
            throw new InvalidOperationException(
                $"Output '{name}': shape [{string.Join(", ", result.GetShape(name))}] needs {count * sizeof(ushort)} bytes of BF16 " +
                $"but raw contents hold {raw.Length}.");
        }

        for (var offset = 0; offset < raw.Length; offset += sizeof(ushort))
        {
            WriteSingle(json, BFloat16.ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw[offset..])));
        }
    }

    // Half's own shortest round-trip text ("0.1"), not the widened float's ("0.099975586").
    private static void WriteHalf(Utf8JsonWriter json, Half value)
    {
        if (Half.IsFinite(value))
        {
            json.WriteRawValue(value.ToString("R", CultureInfo.InvariantCulture));
        }
        else
        {
            WriteNonFinite(json, Half.IsNaN(value), Half.IsNegative(value));
        }
    }

    // float and double overloads write their shortest round-trip text; JSON has no NaN or infinity.
    private static void WriteSingle(Utf8JsonWriter json, float value)
    {
        if (float.IsFinite(value))
        {
            json.WriteNumberValue(value);
        }
        else
        {
            WriteNonFinite(json, float.IsNaN(value), float.IsNegative(value));
        }
    }

    private static void WriteDouble(Utf8JsonWriter json, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumberValue(value);
        }
        else
        {
            WriteNonFinite(json, double.IsNaN(value), double.IsNegative(value));
        }
    }

    private static void WriteNonFinite(Utf8JsonWriter json, bool nan, bool negative) =>
        json.WriteStringValue(nan ? "NaN" : negative ? "-Infinity" : "Infinity");

    private static void Each<T>(T[] values, Action<T> write)
    {
        foreach (var value in values)
        {
            write(value);
        }
    }
}
