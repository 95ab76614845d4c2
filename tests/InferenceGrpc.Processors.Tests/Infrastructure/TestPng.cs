using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace InferenceGrpc.Processors.Tests.Infrastructure;

/// <summary>
/// A minimal PNG encoder (8-bit RGB, no filtering), written here so the expected pixels are known independently of
/// the imaging library under test.
/// </summary>
internal static class TestPng
{
    /// <param name="rgb">Row-major pixels, 3 bytes each.</param>
    public static byte[] Encode(int width, int height, byte[] rgb)
    {
        Assert.Equal(width * height * 3, rgb.Length);
        var raw = new MemoryStream();
        for (var y = 0; y < height; y++)
        {
            raw.WriteByte(0);   // filter type: none
            raw.Write(rgb, y * width * 3, width * 3);
        }

        return WithIdat(width, height, Compress(raw.ToArray()));
    }

    /// <summary>A PNG whose header declares <paramref name="width"/> × <paramref name="height"/> around any IDAT payload.</summary>
    public static byte[] WithIdat(int width, int height, byte[] idat)
    {
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;   // bit depth
        header[9] = 2;   // colour type: RGB
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", idat);
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>Pixels of one colour.</summary>
    public static byte[] Solid(int width, int height, byte r, byte g, byte b) =>
        Enumerable.Range(0, width * height).SelectMany(_ => new[] { r, g, b }).ToArray();

    public static byte[] Compress(byte[] data)
    {
        var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(data);
        }

        return output.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typed));
        png.Write(word);
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}
