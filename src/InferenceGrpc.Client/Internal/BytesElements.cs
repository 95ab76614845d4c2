using System.Buffers.Binary;

namespace InferenceGrpc.Client.Internal;

/// <summary>
/// BYTES tensors in raw contents: per element a 4-byte little-endian length, then that many bytes.
/// </summary>
internal static class BytesElements
{
    public static byte[] Encode(IReadOnlyList<byte[]> elements)
    {
        long total = 0;
        foreach (var element in elements)
        {
            total += sizeof(uint) + element.Length;
        }

        // A protobuf bytes field cannot exceed 2 GiB either, so this is the real limit.
        if (total > Array.MaxLength)
        {
            throw new ArgumentException($"BYTES tensor of {total} bytes does not fit in one message.");
        }

        var buffer = new byte[total];
        var offset = 0;
        foreach (var element in elements)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(offset), (uint)element.Length);
            offset += sizeof(uint);
            element.CopyTo(buffer, offset);
            offset += element.Length;
        }

        return buffer;
    }

    /// <summary>Splits raw BYTES contents; null (with a reason) when the framing is broken.</summary>
    public static List<byte[]>? TryDecode(ReadOnlySpan<byte> raw, out string? problem)
    {
        var elements = new List<byte[]>();
        var offset = 0;
        while (offset < raw.Length)
        {
            if (raw.Length - offset < sizeof(uint))
            {
                problem = $"{raw.Length - offset} trailing bytes at offset {offset} are too few for a 4-byte length";
                return null;
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(raw[offset..]);
            offset += sizeof(uint);
            if (length > (uint)(raw.Length - offset))
            {
                problem = $"element {elements.Count} declares {length} bytes but only {raw.Length - offset} remain";
                return null;
            }

            elements.Add(raw.Slice(offset, (int)length).ToArray());
            offset += (int)length;
        }

        problem = null;
        return elements;
    }
}
