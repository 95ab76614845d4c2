using System.Buffers.Binary;

namespace InferenceGrpc.Core.Tensors;

/// <summary>
/// The raw layout of a BYTES tensor: each element is a 4-byte little-endian length followed by that many bytes.
/// </summary>
public static class BytesTensor
{
    /// <summary>Counts the elements of a raw BYTES buffer; false when an element's length runs past the end.</summary>
    public static bool TryCountElements(ReadOnlySpan<byte> raw, out long count)
    {
        count = 0;
        while (!raw.IsEmpty)
        {
            if (raw.Length < sizeof(uint))
            {
                return false;
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(raw);
            raw = raw[sizeof(uint)..];
            if (length > (uint)raw.Length)
            {
                return false;
            }

            raw = raw[(int)length..];
            count++;
        }

        return true;
    }

    /// <summary>Enumerates the elements of a raw BYTES buffer that <see cref="TryCountElements"/> accepted.</summary>
    public static Enumerator Enumerate(ReadOnlySpan<byte> raw) => new(raw);

    /// <summary>Bytes needed to encode elements of the given total payload length.</summary>
    public static int EncodedLength(int elementCount, int payloadBytes) => checked((elementCount * sizeof(uint)) + payloadBytes);

    /// <summary>Writes one element at the start of <paramref name="destination"/>; returns the bytes written.</summary>
    public static int WriteElement(Span<byte> destination, ReadOnlySpan<byte> element)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)element.Length);
        element.CopyTo(destination[sizeof(uint)..]);
        return sizeof(uint) + element.Length;
    }

    /// <summary>Encodes whole elements into a new array (for clients and tests, not the hot path).</summary>
    public static byte[] Encode(IEnumerable<byte[]> elements)
    {
        var list = elements as IReadOnlyCollection<byte[]> ?? elements.ToList();
        var buffer = new byte[EncodedLength(list.Count, list.Sum(e => e.Length))];
        var offset = 0;
        foreach (var element in list)
        {
            offset += WriteElement(buffer.AsSpan(offset), element);
        }

        return buffer;
    }

    public ref struct Enumerator
    {
        private ReadOnlySpan<byte> _rest;

        internal Enumerator(ReadOnlySpan<byte> raw)
        {
            _rest = raw;
            Current = default;
        }

        public ReadOnlySpan<byte> Current { get; private set; }

        public readonly Enumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_rest.Length < sizeof(uint))
            {
                return false;
            }

            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(_rest);
            Current = _rest.Slice(sizeof(uint), length);
            _rest = _rest[(sizeof(uint) + length)..];
            return true;
        }
    }
}
