using System.Runtime.InteropServices;
using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Processors.Tests.Infrastructure;

internal static class TensorValues
{
    public static OutputTensor Output(RunResult result, string name) => result.Outputs.Single(o => o.Name == name);

    public static long[] Longs(OutputTensor output) => MemoryMarshal.Cast<byte, long>(output.Data.Span).ToArray();

    public static float[] Floats(OutputTensor output) => MemoryMarshal.Cast<byte, float>(output.Data.Span).ToArray();

    public static InputTensor Fp32(string name, long[] shape, float[] values) =>
        new(name, DataType.Fp32, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public static InputTensor Int64(string name, long[] shape, long[] values) =>
        new(name, DataType.Int64, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    /// <summary>An output handed on as the next stage's input (a copy: the output's memory goes back to its pool).</summary>
    public static InputTensor AsInput(OutputTensor output, string? name = null) =>
        new(name ?? output.Name, output.DataType, output.Shape, output.Data.ToArray());

    /// <summary>Reads a little-endian float32 .npy file (NumPy format 1.0).</summary>
    public static (long[] Shape, float[] Values) ReadNpy(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var headerLength = BitConverter.ToUInt16(bytes, 8);
        var header = System.Text.Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.Contains("'<f4'", header);
        var dims = header[(header.IndexOf('(') + 1)..header.IndexOf(')')]
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        return (dims, MemoryMarshal.Cast<byte, float>(bytes.AsSpan(10 + headerLength)).ToArray());
    }

    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = 0f;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }
}
