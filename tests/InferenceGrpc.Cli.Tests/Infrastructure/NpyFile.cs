using System.Buffers.Binary;
using System.Text;

namespace InferenceGrpc.Cli.Tests.Infrastructure;

/// <summary>
/// Writes .npy bytes by hand from the format spec (numpy.lib.format), not with numpy, so the
/// reader is checked against the spec rather than against itself.
/// </summary>
internal static class NpyFile
{
    /// <param name="header">The dict literal, e.g. <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2,), }</c>.</param>
    /// <param name="data">The array bytes that follow the header.</param>
    /// <param name="major">Format version: 1 has a 2-byte header length, 2 and 3 a 4-byte one; 3 is UTF-8.</param>
    public static byte[] Build(string header, byte[] data, byte major = 1)
    {
        var lengthSize = major == 1 ? 2 : 4;
        var prefixLength = 6 + 2 + lengthSize;   // magic, version, header length
        var headerBytes = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetBytes(header);

        // Spaces then '\n', so magic + version + length + header is a multiple of 64.
        var unpadded = prefixLength + headerBytes.Length + 1;
        var headerLength = (unpadded + 63) / 64 * 64 - prefixLength;

        var file = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, 0 };
        var length = new byte[lengthSize];
        if (lengthSize == 2)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)headerLength);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)headerLength);
        }

        file.AddRange(length);
        file.AddRange(headerBytes);
        file.AddRange(Enumerable.Repeat((byte)' ', headerLength - headerBytes.Length - 1));
        file.Add((byte)'\n');
        Assert.Equal(0, file.Count % 64);
        file.AddRange(data);
        return [.. file];
    }

    public static string Header(string descr, string shape, bool fortranOrder = false) =>
        $"{{'descr': '{descr}', 'fortran_order': {(fortranOrder ? "True" : "False")}, 'shape': {shape}, }}";
}
