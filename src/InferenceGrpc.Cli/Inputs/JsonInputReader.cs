using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using InferenceGrpc.Client;

namespace InferenceGrpc.Cli.Inputs;

/// <summary>
/// Reads a request in the KServe v2 REST shape:
/// <c>{"id": "...", "inputs": [{"name", "datatype", "shape", "data"}], "outputs": [{"name"}]}</c>.
/// <c>data</c> may be flat or nested (nesting is flattened row-major; only the count must match the
/// shape). BYTES elements are strings, sent as UTF-8. Float types also take "NaN", "Infinity" and
/// "-Infinity" as strings, since JSON numbers cannot spell them.
/// </summary>
internal static class JsonInputReader
{
    private static readonly JsonDocumentOptions Options = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    /// <exception cref="InputFileException">Not JSON, or not a request this reader can send.</exception>
    public static InputDocument Read(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, Options);
        }
        catch (JsonException ex)
        {
            throw new InputFileException($"not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InputFileException($"expected a JSON object at the top level, found {Describe(root)}");
            }

            string? id = null;
            if (root.TryGetProperty("id", out var idElement) && idElement.ValueKind != JsonValueKind.Null)
            {
                id = idElement.ValueKind == JsonValueKind.String
                    ? idElement.GetString()
                    : throw new InputFileException($"\"id\" must be a string, found {Describe(idElement)}");
            }

            if (!root.TryGetProperty("inputs", out var inputsElement) || inputsElement.ValueKind != JsonValueKind.Array
                || inputsElement.GetArrayLength() == 0)
            {
                throw new InputFileException("\"inputs\" must be a non-empty array of {\"name\", \"datatype\", \"shape\", \"data\"}");
            }

            var inputs = new List<InputTensor>();
            var index = 0;
            foreach (var element in inputsElement.EnumerateArray())
            {
                var tensor = ReadTensor(element, $"inputs[{index++}]");
                if (inputs.Exists(t => t.Name == tensor.Name))
                {
                    throw new InputFileException($"input '{tensor.Name}' appears twice");
                }

                inputs.Add(tensor);
            }

            return new InputDocument(id, inputs, ReadOutputs(root));
        }
    }

    /// <summary>
    /// Encodes one tensor's <c>data</c> (flat or nested, flattened row-major) as <paramref name="datatype"/>; for
    /// layouts other than a request file (<c>batch</c> reads JSONL rows). <paramref name="count"/> is the element count.
    /// </summary>
    /// <exception cref="InputFileException">A value that does not fit the datatype.</exception>
    internal static byte[] EncodeData(string datatype, JsonElement data, string where, out int count)
    {
        var values = new List<JsonElement>();
        Flatten(data, values);
        count = values.Count;
        return Encode(datatype, values, where);
    }

    private static List<string> ReadOutputs(JsonElement root)
    {
        var outputs = new List<string>();
        if (!root.TryGetProperty("outputs", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return outputs;
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            throw new InputFileException($"\"outputs\" must be an array of {{\"name\": ...}}, found {Describe(element)}");
        }

        var index = 0;
        foreach (var output in element.EnumerateArray())
        {
            outputs.Add(RequiredString(output, "name", $"outputs[{index++}]"));
        }

        return outputs;
    }

    private static InputTensor ReadTensor(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InputFileException($"{where}: expected an object, found {Describe(element)}");
        }

        var name = RequiredString(element, "name", where);
        where = $"{where} ('{name}')";
        var datatype = RequiredString(element, "datatype", where);
        if (!InferDatatype.IsKnown(datatype))
        {
            throw new InputFileException(
                $"{where}: unknown datatype '{datatype}'; expected one of {string.Join(", ", InferDatatype.All)}");
        }

        var shape = ReadShape(element, where);
        if (!element.TryGetProperty("data", out var data))
        {
            throw new InputFileException($"{where}: missing \"data\"");
        }

        var values = new List<JsonElement>();
        Flatten(data, values);
        var volume = Volume(shape, where);
        if (values.Count != volume)
        {
            throw new InputFileException(
                $"{where}: \"data\" has {values.Count} values but shape [{string.Join(", ", shape)}] holds {volume}");
        }

        return new InputTensor(name, datatype, shape, Encode(datatype, values, where));
    }

    private static long[] ReadShape(JsonElement element, string where)
    {
        if (!element.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw new InputFileException($"{where}: \"shape\" must be an array of non-negative integers");
        }

        var shape = new List<long>();
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out var value) || value < 0)
            {
                throw new InputFileException($"{where}: shape dimension {dim.GetRawText()} is not a non-negative integer");
            }

            shape.Add(value);
        }

        return [.. shape];
    }

    private static long Volume(long[] shape, string where)
    {
        try
        {
            return shape.Aggregate(1L, (acc, dim) => checked(acc * dim));
        }
        catch (OverflowException)
        {
            throw new InputFileException($"{where}: shape [{string.Join(", ", shape)}] is too large");
        }
    }

    private static void Flatten(JsonElement element, List<JsonElement> values)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                Flatten(item, values);
            }
        }
        else
        {
            values.Add(element);
        }
    }

    private static byte[] Encode(string datatype, List<JsonElement> values, string where)
    {
        if (datatype == InferDatatype.Bytes)
        {
            return EncodeStrings(values, where);
        }

        var size = InferDatatype.GetElementSize(datatype);
        var buffer = new byte[(long)values.Count * size];
        for (var i = 0; i < values.Count; i++)
        {
            var slot = buffer.AsSpan(i * size, size);
            var value = values[i];
            switch (datatype)
            {
                case InferDatatype.Bool:
                    slot[0] = value.ValueKind switch
                    {
                        JsonValueKind.True => 1,
                        JsonValueKind.False => 0,
                        _ => throw BadValue(where, i, value, "true or false"),
                    };
                    break;
                case InferDatatype.UInt8:
                    slot[0] = (byte)Integer(value, byte.MinValue, byte.MaxValue, where, i, datatype);
                    break;
                case InferDatatype.UInt16:
                    BinaryPrimitives.WriteUInt16LittleEndian(slot, (ushort)Integer(value, ushort.MinValue, ushort.MaxValue, where, i, datatype));
                    break;
                case InferDatatype.UInt32:
                    BinaryPrimitives.WriteUInt32LittleEndian(slot, (uint)Integer(value, uint.MinValue, uint.MaxValue, where, i, datatype));
                    break;
                case InferDatatype.UInt64:
                    BinaryPrimitives.WriteUInt64LittleEndian(slot,
                        value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var u64)
                            ? u64
                            : throw BadValue(where, i, value, "an integer in UINT64 range"));
                    break;
                case InferDatatype.Int8:
                    slot[0] = (byte)(sbyte)Integer(value, sbyte.MinValue, sbyte.MaxValue, where, i, datatype);
                    break;
                case InferDatatype.Int16:
                    BinaryPrimitives.WriteInt16LittleEndian(slot, (short)Integer(value, short.MinValue, short.MaxValue, where, i, datatype));
                    break;
                case InferDatatype.Int32:
                    BinaryPrimitives.WriteInt32LittleEndian(slot, (int)Integer(value, int.MinValue, int.MaxValue, where, i, datatype));
                    break;
                case InferDatatype.Int64:
                    BinaryPrimitives.WriteInt64LittleEndian(slot, Integer(value, long.MinValue, long.MaxValue, where, i, datatype));
                    break;
                case InferDatatype.Fp16:
                    var half = (Half)Float(value, where, i, datatype);
                    CheckRange(Half.IsInfinity(half), value, where, i, datatype);
                    BinaryPrimitives.WriteHalfLittleEndian(slot, half);
                    break;
                case InferDatatype.Bf16:
                    var bf16 = BFloat16.FromSingle((float)Float(value, where, i, datatype));
                    CheckRange(float.IsInfinity(BFloat16.ToSingle(bf16)), value, where, i, datatype);
                    BinaryPrimitives.WriteUInt16LittleEndian(slot, bf16);
                    break;
                case InferDatatype.Fp32:
                    var single = (float)Float(value, where, i, datatype);
                    CheckRange(float.IsInfinity(single), value, where, i, datatype);
                    BinaryPrimitives.WriteSingleLittleEndian(slot, single);
                    break;
                case InferDatatype.Fp64:
                    BinaryPrimitives.WriteDoubleLittleEndian(slot, Float(value, where, i, datatype));
                    break;
                default:
                    throw new InputFileException($"{where}: datatype {datatype} cannot be written from JSON");
            }
        }

        return buffer;
    }

    private static byte[] EncodeStrings(List<JsonElement> values, string where)
    {
        var elements = new byte[values.Count][];
        for (var i = 0; i < values.Count; i++)
        {
            elements[i] = values[i].ValueKind == JsonValueKind.String
                ? Encoding.UTF8.GetBytes(values[i].GetString()!)
                : throw BadValue(where, i, values[i], "a string for BYTES");
        }

        var buffer = new byte[elements.Sum(e => (long)sizeof(uint) + e.Length)];
        var offset = 0;
        foreach (var element in elements)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(offset), (uint)element.Length);
            element.CopyTo(buffer, offset + sizeof(uint));
            offset += sizeof(uint) + element.Length;
        }

        return buffer;
    }

    private static long Integer(JsonElement value, long min, long max, string where, int index, string datatype) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var result) && result >= min && result <= max
            ? result
            : throw BadValue(where, index, value, $"an integer in {datatype} range [{min}, {max}]");

    private static double Float(JsonElement value, string where, int index, string datatype)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            switch (value.GetString()!.ToLowerInvariant())
            {
                case "nan": return double.NaN;
                case "inf" or "infinity" or "+inf" or "+infinity": return double.PositiveInfinity;
                case "-inf" or "-infinity": return double.NegativeInfinity;
            }
        }

        throw BadValue(where, index, value, $"a number (or \"NaN\", \"Infinity\", \"-Infinity\") for {datatype}");
    }

    // A finite JSON number that rounds to infinity is a mistake, not a request for infinity.
    private static void CheckRange(bool isInfinity, JsonElement value, string where, int index, string datatype)
    {
        if (isInfinity && value.ValueKind == JsonValueKind.Number)
        {
            throw BadValue(where, index, value, $"a number within {datatype} range");
        }
    }

    private static string RequiredString(JsonElement element, string property, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InputFileException($"{where}: expected an object with \"{property}\", found {Describe(element)}");
        }

        return element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            && value.GetString() is { Length: > 0 } text
                ? text
                : throw new InputFileException($"{where}: \"{property}\" must be a non-empty string");
    }

    private static InputFileException BadValue(string where, int index, JsonElement value, string expected) =>
        new($"{where}: data[{index.ToString(CultureInfo.InvariantCulture)}] is {Describe(value)}, expected {expected}");

    private static string Describe(JsonElement element)
    {
        var text = element.GetRawText();
        return text.Length <= 40 ? text : text[..37] + "...";
    }
}
