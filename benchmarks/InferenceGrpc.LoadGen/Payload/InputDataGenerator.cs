using System.Buffers.Binary;
using System.Text;

namespace InferenceGrpc.LoadGen.Payload;

/// <summary>
/// Makes input data from a fixed seed, so every target (in-process, echo, server) gets the same bytes. Floats are
/// uniform in [-1, 1) (normalised pixels); token inputs look like BERT's: ids in 1000..29000, attention mask all 1,
/// token types 0; other integers are small; BYTES elements are short ASCII strings.
/// </summary>
internal static class InputDataGenerator
{
    public const int MinTokenId = 1000;
    public const int MaxTokenId = 29000;

    public static IReadOnlyList<GeneratedInput> Generate(IReadOnlyList<TensorDescriptor> inputs, IReadOnlyList<long[]> shapes, int seed)
    {
        var random = new Random(seed);
        var generated = new GeneratedInput[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            generated[i] = new GeneratedInput(inputs[i].Name, inputs[i].Datatype, shapes[i], Data(inputs[i].Name, inputs[i].Datatype, shapes[i], random));
        }

        return generated;
    }

    public static byte[] Data(string name, string datatype, long[] shape, Random random)
    {
        var count = checked((int)shape.Aggregate(1L, (a, d) => checked(a * d)));
        if (datatype == "BYTES")
        {
            var builder = new List<byte>();
            var length = new byte[4];
            for (var i = 0; i < count; i++)
            {
                var text = Encoding.ASCII.GetBytes($"loadgen-{random.Next(100000):D5}");
                BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)text.Length);
                builder.AddRange(length);
                builder.AddRange(text);
            }

            return [.. builder];
        }

        var size = ElementSize(datatype);
        var data = new byte[count * size];
        var span = data.AsSpan();
        for (var i = 0; i < count; i++)
        {
            var element = span.Slice(i * size, size);
            switch (datatype)
            {
                case "FP32":
                    BinaryPrimitives.WriteSingleLittleEndian(element, Uniform(random));
                    break;
                case "FP64":
                    BinaryPrimitives.WriteDoubleLittleEndian(element, Uniform(random));
                    break;
                case "FP16":
                    BinaryPrimitives.WriteHalfLittleEndian(element, (Half)Uniform(random));
                    break;
                case "BF16":
                    // BF16 is the top half of an FP32.
                    BinaryPrimitives.WriteUInt16LittleEndian(element, (ushort)(BitConverter.SingleToUInt32Bits(Uniform(random)) >> 16));
                    break;
                case "BOOL":
                    element[0] = (byte)random.Next(2);
                    break;
                default:
                    WriteInteger(element, IntegerValue(name, random));
                    break;
            }
        }

        return data;
    }

    public static int ElementSize(string datatype) => datatype switch
    {
        "BOOL" or "UINT8" or "INT8" => 1,
        "UINT16" or "INT16" or "FP16" or "BF16" => 2,
        "UINT32" or "INT32" or "FP32" => 4,
        "UINT64" or "INT64" or "FP64" => 8,
        _ => throw new ArgumentException($"datatype '{datatype}' has no fixed element size"),
    };

    private static float Uniform(Random random) => (float)(random.NextDouble() * 2 - 1);

    private static long IntegerValue(string name, Random random) => name switch
    {
        "input_ids" => random.Next(MinTokenId, MaxTokenId + 1),
        "attention_mask" => 1,
        "token_type_ids" => 0,
        _ => random.Next(10),
    };

    // Little-endian two's complement: the low bytes of the value, whatever the width.
    private static void WriteInteger(Span<byte> element, long value)
    {
        Span<byte> all = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(all, value);
        all[..element.Length].CopyTo(element);
    }
}
