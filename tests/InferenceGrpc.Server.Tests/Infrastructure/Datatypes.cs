using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;
using Inference;
using InferenceGrpc.TestModels;

namespace InferenceGrpc.Server.Tests.Infrastructure;

/// <summary>
/// One protocol datatype: its ONNX element type, its model-config enum, and eight sample elements (edge values
/// included) both in the raw little-endian layout and, where the protocol has a field for it, as typed contents.
/// </summary>
internal sealed record DatatypeSample(string Wire, TensorElementKind Kind, DataType ConfigType, byte[] Raw, InferTensorContents? Typed);

internal static class Datatypes
{
    /// <summary>Every sample has this many elements: shape [2,4] for the [batch,4] identity models.</summary>
    public const int Elements = 8;

    public static readonly long[] Shape = [2, 4];

    private static readonly Dictionary<string, DatatypeSample> Samples = Build().ToDictionary(s => s.Wire, StringComparer.Ordinal);

    public static IReadOnlyCollection<DatatypeSample> All => Samples.Values;

    public static DatatypeSample Get(string wire) => Samples[wire];

    /// <summary>Every datatype's wire name, for theories.</summary>
    public static TheoryData<string> Names() => [.. Samples.Keys];

    /// <summary>The datatypes that have a typed contents field (all but FP16 and BF16).</summary>
    public static TheoryData<string> TypedNames() => [.. Samples.Values.Where(s => s.Typed is not null).Select(s => s.Wire)];

    /// <summary>The raw layout of BYTES: each element as a 4-byte little-endian length, then its bytes.</summary>
    public static byte[] EncodeBytes(IEnumerable<byte[]> elements)
    {
        var buffer = new List<byte>();
        Span<byte> length = stackalloc byte[4];
        foreach (var element in elements)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)element.Length);
            buffer.AddRange(length);
            buffer.AddRange(element);
        }

        return [.. buffer];
    }

    private static byte[] Le<T>(T[] values)
        where T : unmanaged =>
        MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static IEnumerable<DatatypeSample> Build()
    {
        bool[] bools = [true, false, true, true, false, false, true, false];
        var boolContents = new InferTensorContents();
        boolContents.BoolContents.Add(bools);
        yield return new("BOOL", TensorElementKind.Bool, DataType.TypeBool, bools.Select(b => b ? (byte)1 : (byte)0).ToArray(), boolContents);

        sbyte[] int8 = [sbyte.MinValue, -100, -1, 0, 1, 2, 100, sbyte.MaxValue];
        yield return new("INT8", TensorElementKind.Int8, DataType.TypeInt8, int8.Select(v => (byte)v).ToArray(), IntContents(int8.Select(v => (int)v)));

        short[] int16 = [short.MinValue, -300, -1, 0, 1, 300, short.MaxValue - 1, short.MaxValue];
        yield return new("INT16", TensorElementKind.Int16, DataType.TypeInt16, Le(int16), IntContents(int16.Select(v => (int)v)));

        int[] int32 = [int.MinValue, -70_000, -1, 0, 1, 70_000, int.MaxValue - 1, int.MaxValue];
        yield return new("INT32", TensorElementKind.Int32, DataType.TypeInt32, Le(int32), IntContents(int32));

        long[] int64 = [long.MinValue, -(1L << 40), -1, 0, 1, 1L << 40, long.MaxValue - 1, long.MaxValue];
        var int64Contents = new InferTensorContents();
        int64Contents.Int64Contents.Add(int64);
        yield return new("INT64", TensorElementKind.Int64, DataType.TypeInt64, Le(int64), int64Contents);

        byte[] uint8 = [0, 1, 2, 127, 128, 200, 254, 255];
        yield return new("UINT8", TensorElementKind.UInt8, DataType.TypeUint8, [.. uint8], UintContents(uint8.Select(v => (uint)v)));

        ushort[] uint16 = [0, 1, 2, 300, 32_768, 40_000, ushort.MaxValue - 1, ushort.MaxValue];
        yield return new("UINT16", TensorElementKind.UInt16, DataType.TypeUint16, Le(uint16), UintContents(uint16.Select(v => (uint)v)));

        uint[] uint32 = [0, 1, 2, 70_000, 1u << 31, 3_000_000_000, uint.MaxValue - 1, uint.MaxValue];
        yield return new("UINT32", TensorElementKind.UInt32, DataType.TypeUint32, Le(uint32), UintContents(uint32));

        ulong[] uint64 = [0, 1, 2, 1UL << 40, 1UL << 63, ulong.MaxValue / 3, ulong.MaxValue - 1, ulong.MaxValue];
        var uint64Contents = new InferTensorContents();
        uint64Contents.Uint64Contents.Add(uint64);
        yield return new("UINT64", TensorElementKind.UInt64, DataType.TypeUint64, Le(uint64), uint64Contents);

        Half[] fp16 = [Half.MinValue, (Half)(-2.5f), Half.NegativeZero, Half.Zero, Half.Epsilon, (Half)0.5f, (Half)1f, Half.MaxValue];
        yield return new("FP16", TensorElementKind.Float16, DataType.TypeFp16, Le(fp16), null);

        // bfloat16 is the upper half of a float32.
        float[] bf16Values = [-1e30f, -2.5f, -1f, 0f, 0.5f, 1f, 3.140625f, 1e30f];
        var bf16 = bf16Values.Select(f => (ushort)(BitConverter.SingleToUInt32Bits(f) >> 16)).ToArray();
        yield return new("BF16", TensorElementKind.BFloat16, DataType.TypeBf16, Le(bf16), null);

        float[] fp32 = [float.MinValue, -1.5f, -0f, 0f, float.Epsilon, 1e-7f, 3.25f, float.MaxValue];
        var fp32Contents = new InferTensorContents();
        fp32Contents.Fp32Contents.Add(fp32);
        yield return new("FP32", TensorElementKind.Float, DataType.TypeFp32, Le(fp32), fp32Contents);

        double[] fp64 = [double.MinValue, -1.5, -0d, 0d, double.Epsilon, 1e-300, Math.PI, double.MaxValue];
        var fp64Contents = new InferTensorContents();
        fp64Contents.Fp64Contents.Add(fp64);
        yield return new("FP64", TensorElementKind.Double, DataType.TypeFp64, Le(fp64), fp64Contents);

        byte[][] strings =
        [
            [],
            "a"u8.ToArray(),
            "hello"u8.ToArray(),
            Encoding.UTF8.GetBytes("ü€漢字"),
            "nul\0inside"u8.ToArray(),
            Encoding.UTF8.GetBytes(new string('x', 300)),
            "tab\tnewline\n"u8.ToArray(),
            "z"u8.ToArray(),
        ];
        var bytesContents = new InferTensorContents();
        bytesContents.BytesContents.Add(strings.Select(ByteString.CopyFrom));
        yield return new("BYTES", TensorElementKind.String, DataType.TypeString, EncodeBytes(strings), bytesContents);
    }

    private static InferTensorContents IntContents(IEnumerable<int> values)
    {
        var contents = new InferTensorContents();
        contents.IntContents.Add(values);
        return contents;
    }

    private static InferTensorContents UintContents(IEnumerable<uint> values)
    {
        var contents = new InferTensorContents();
        contents.UintContents.Add(values);
        return contents;
    }
}
