using System.Text;
using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.TestModels;

namespace InferenceGrpc.OnnxRuntime.Tests.Infrastructure;

/// <summary>Sample tensors in the protocol's raw layout, and the test-model kinds as protocol datatypes.</summary>
internal static class TensorData
{
    /// <summary>Strings that catch encoding mistakes: empty ones, multi-byte UTF-8 (2, 3 and 4 bytes).</summary>
    public static readonly string[] Strings = ["", "héllo", "日本語", "🙂 emoji", "", "plain"];

    public static DataType ToDataType(TensorElementKind kind) => kind switch
    {
        TensorElementKind.Float => DataType.Fp32,
        TensorElementKind.Double => DataType.Fp64,
        TensorElementKind.Float16 => DataType.Fp16,
        TensorElementKind.BFloat16 => DataType.Bf16,
        TensorElementKind.Bool => DataType.Bool,
        TensorElementKind.String => DataType.Bytes,
        TensorElementKind.Int8 => DataType.Int8,
        TensorElementKind.Int16 => DataType.Int16,
        TensorElementKind.Int32 => DataType.Int32,
        TensorElementKind.Int64 => DataType.Int64,
        TensorElementKind.UInt8 => DataType.UInt8,
        TensorElementKind.UInt16 => DataType.UInt16,
        TensorElementKind.UInt32 => DataType.UInt32,
        TensorElementKind.UInt64 => DataType.UInt64,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Raw bytes for <paramref name="count"/> elements: seeded random bits (any bit pattern survives an
    /// Identity), booleans as 0/1, strings from <see cref="Strings"/>.</summary>
    public static byte[] Sample(DataType type, int count, int seed = 1)
    {
        if (type == DataType.Bytes)
        {
            return BytesTensor.Encode(Enumerable.Range(0, count).Select(i => Encoding.UTF8.GetBytes(Strings[i % Strings.Length])));
        }

        var random = new Random(seed);
        var bytes = new byte[count * type.ElementSize()];
        random.NextBytes(bytes);
        if (type == DataType.Bool)
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] &= 1;
            }
        }

        return bytes;
    }

    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    public static float[] ToFloats(ReadOnlyMemory<byte> data)
    {
        var values = new float[data.Length / sizeof(float)];
        Buffer.BlockCopy(data.ToArray(), 0, values, 0, data.Length);
        return values;
    }

    public static InputTensor Input(string name, DataType type, long[] shape, byte[] data) => new(name, type, shape, data);

    public static OutputTensor Single(RunResult result, string name) => Assert.Single(result.Outputs, o => o.Name == name);
}
