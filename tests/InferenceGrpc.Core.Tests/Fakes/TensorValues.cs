using System.Runtime.InteropServices;
using System.Text;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Tests.Fakes;

/// <summary>Builds tensors from values and reads values back, for tests that check data element by element.</summary>
internal static class TensorValues
{
    /// <summary>An FP32 input of shape [rows, width] holding <paramref name="first"/>, first+1, ... row by row.</summary>
    public static InputTensor Fp32(string name, int rows, int width, float first)
    {
        var values = Enumerable.Range(0, rows * width).Select(i => first + i).ToArray();
        return new InputTensor(name, DataType.Fp32, [rows, width], MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    }

    /// <summary>A BYTES input of shape [rows.Length, width] (every row the same width).</summary>
    public static InputTensor Text(string name, params string[][] rows)
    {
        var elements = rows.SelectMany(r => r).Select(Encoding.UTF8.GetBytes);
        return new InputTensor(name, DataType.Bytes, [rows.Length, rows.Length == 0 ? 0 : rows[0].Length], BytesTensor.Encode(elements));
    }

    public static float[] Floats(ReadOnlyMemory<byte> data) => MemoryMarshal.Cast<byte, float>(data.Span).ToArray();

    public static float[] Floats(InputTensor input) => Floats(input.Data);

    public static float[] Floats(OutputTensor output) => Floats(output.Data);

    public static string[] Strings(ReadOnlyMemory<byte> data)
    {
        var strings = new List<string>();
        foreach (var element in BytesTensor.Enumerate(data.Span))
        {
            strings.Add(Encoding.UTF8.GetString(element));
        }

        return [.. strings];
    }

    public static string[] Strings(OutputTensor output) => Strings(output.Data);
}
