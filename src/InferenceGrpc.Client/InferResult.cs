using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf.Collections;
using Inference;
using InferenceGrpc.Client.Internal;
using OutputTensor = Inference.ModelInferResponse.Types.InferOutputTensor;

namespace InferenceGrpc.Client;

/// <summary>
/// Typed access to a <see cref="ModelInferResponse"/>. Reads outputs from <c>raw_output_contents</c>
/// when the server used them (this server does), otherwise from each output's typed <c>contents</c>
/// (some Triton deployments do). Each getter copies, so the arrays returned are the caller's.
/// </summary>
public sealed class InferResult
{
    // Strict: a string that is not UTF-8 should fail loudly, not turn into U+FFFD; GetBytes reads it as-is.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Dictionary<string, int> _index;
    private readonly bool _raw;

    /// <exception cref="InvalidOperationException">
    /// The response uses raw contents for some outputs but not all, or names an output twice.
    /// </exception>
    public InferResult(ModelInferResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        Response = response;
        var outputs = response.Outputs;
        _raw = response.RawOutputContents.Count > 0;

        // The protocol says raw contents, when used, hold every output in order.
        if (_raw && response.RawOutputContents.Count != outputs.Count)
        {
            throw new InvalidOperationException(
                $"Response has {response.RawOutputContents.Count} raw_output_contents for {outputs.Count} outputs; " +
                "when raw contents are used there must be one per output.");
        }

        _index = new Dictionary<string, int>(outputs.Count, StringComparer.Ordinal);
        for (var i = 0; i < outputs.Count; i++)
        {
            if (!_index.TryAdd(outputs[i].Name, i))
            {
                throw new InvalidOperationException($"Response names output '{outputs[i].Name}' twice.");
            }
        }

        OutputNames = outputs.Select(o => o.Name).ToArray();
    }

    /// <summary>The message as received, for fields this wrapper does not surface (parameters, for one).</summary>
    public ModelInferResponse Response { get; }

    public string ModelName => Response.ModelName;

    public string ModelVersion => Response.ModelVersion;

    public string Id => Response.Id;

    /// <summary>Output names in response order.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <exception cref="KeyNotFoundException">No output has that name.</exception>
    public long[] GetShape(string name) => Find(name).Shape.ToArray();

    /// <exception cref="KeyNotFoundException">No output has that name.</exception>
    public string GetDatatype(string name) => Find(name).Datatype;

    /// <summary>
    /// The output's elements, row-major. <typeparamref name="T"/> must be the output's datatype
    /// (see <see cref="InferDatatype.For{T}"/>): FP32 reads as float, INT64 as long, and so on.
    /// </summary>
    /// <exception cref="InvalidOperationException">The datatype does not match <typeparamref name="T"/>, or the data does not match the shape.</exception>
    /// <exception cref="KeyNotFoundException">No output has that name.</exception>
    public T[] GetOutput<T>(string name) where T : unmanaged
    {
        var expected = InferDatatype.For<T>();
        var output = Find(name);
        if (output.Datatype != expected)
        {
            throw new InvalidOperationException(
                $"Output '{name}': {typeof(T).Name} reads datatype {expected}, but the output is {output.Datatype} " +
                $"(expected {expected}, actual {output.Datatype}).");
        }

        var count = Volume(output);
        return _raw ? FromRaw<T>(output, RawOf(name).Span, count) : FromTyped<T>(output, count);
    }

    /// <summary>A BYTES output's elements decoded as UTF-8.</summary>
    /// <exception cref="InvalidOperationException">Not BYTES, or the framing does not match the shape.</exception>
    /// <exception cref="DecoderFallbackException">An element is not valid UTF-8.</exception>
    public string[] GetStrings(string name) => Array.ConvertAll(GetBytes(name), b => StrictUtf8.GetString(b));

    /// <summary>A BYTES output's elements.</summary>
    /// <exception cref="InvalidOperationException">Not BYTES, or the framing does not match the shape.</exception>
    public byte[][] GetBytes(string name)
    {
        var output = Find(name);
        if (output.Datatype != InferDatatype.Bytes)
        {
            throw new InvalidOperationException(
                $"Output '{name}': expected datatype {InferDatatype.Bytes}, actual {output.Datatype}.");
        }

        var count = Volume(output);
        byte[][] elements;
        if (_raw)
        {
            elements = BytesElements.TryDecode(RawOf(name).Span, out var problem)?.ToArray()
                ?? throw new InvalidOperationException($"Output '{name}': raw BYTES contents are malformed: {problem}.");
        }
        else
        {
            elements = (output.Contents?.BytesContents ?? []).Select(b => b.ToByteArray()).ToArray();
        }

        CheckCount(output, elements.Length, count);
        return elements;
    }

    /// <summary>
    /// The output in wire format whatever the server sent: little-endian elements, or length-prefixed
    /// elements for BYTES. Typed contents are re-encoded; raw contents are returned without a copy.
    /// </summary>
    /// <exception cref="InvalidOperationException">Typed contents that do not match the shape, or FP16/BF16 sent typed.</exception>
    public ReadOnlyMemory<byte> GetRaw(string name)
    {
        var output = Find(name);
        if (_raw)
        {
            return RawOf(name);
        }

        return output.Datatype switch
        {
            InferDatatype.Bool => Bytes(GetOutput<bool>(name)),
            InferDatatype.UInt8 => GetOutput<byte>(name),
            InferDatatype.UInt16 => Bytes(GetOutput<ushort>(name)),
            InferDatatype.UInt32 => Bytes(GetOutput<uint>(name)),
            InferDatatype.UInt64 => Bytes(GetOutput<ulong>(name)),
            InferDatatype.Int8 => Bytes(GetOutput<sbyte>(name)),
            InferDatatype.Int16 => Bytes(GetOutput<short>(name)),
            InferDatatype.Int32 => Bytes(GetOutput<int>(name)),
            InferDatatype.Int64 => Bytes(GetOutput<long>(name)),
            InferDatatype.Fp32 => Bytes(GetOutput<float>(name)),
            InferDatatype.Fp64 => Bytes(GetOutput<double>(name)),
            InferDatatype.Bytes => BytesElements.Encode(GetBytes(name)),
            _ => throw NoTypedContents(output),
        };

        static byte[] Bytes<T>(T[] values) where T : unmanaged
        {
            LittleEndian.EnsureHost();
            return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        }
    }

    private OutputTensor Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _index.TryGetValue(name, out var i)
            ? Response.Outputs[i]
            : throw new KeyNotFoundException(
                $"Response has no output '{name}'; it has [{string.Join(", ", OutputNames)}].");
    }

    private ReadOnlyMemory<byte> RawOf(string name) => Response.RawOutputContents[_index[name]].Memory;

    private static long Volume(OutputTensor output) =>
        Shape.TryGetVolume(output.Shape.ToArray(), out var volume)
            ? volume
            : throw new InvalidOperationException(
                $"Output '{output.Name}' has invalid shape {Shape.Format(output.Shape.ToArray())}.");

    private static T[] FromRaw<T>(OutputTensor output, ReadOnlySpan<byte> raw, long count) where T : unmanaged
    {
        LittleEndian.EnsureHost();
        var size = Unsafe.SizeOf<T>();
        if (raw.Length != count * size)
        {
            throw new InvalidOperationException(
                $"Output '{output.Name}': shape {Shape.Format(output.Shape.ToArray())} needs {count * size} bytes of " +
                $"{output.Datatype} but raw contents hold {raw.Length}.");
        }

        var values = new T[count];
        if (typeof(T) == typeof(bool))
        {
            // Any non-zero byte is true; copying bytes straight into bool[] would keep values like 2.
            var bools = MemoryMarshal.Cast<T, bool>(values.AsSpan());
            for (var i = 0; i < raw.Length; i++)
            {
                bools[i] = raw[i] != 0;
            }
        }
        else
        {
            raw.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        }

        return values;
    }

    private static T[] FromTyped<T>(OutputTensor output, long count) where T : unmanaged
    {
        var c = output.Contents ?? new InferTensorContents();
        try
        {
            // Datatype already matches T, so each arm builds exactly a T[].
            object values = output.Datatype switch
            {
                InferDatatype.Bool => c.BoolContents.ToArray(),
                InferDatatype.UInt8 => Narrow(c.UintContents, v => checked((byte)v)),
                InferDatatype.UInt16 => Narrow(c.UintContents, v => checked((ushort)v)),
                InferDatatype.UInt32 => c.UintContents.ToArray(),
                InferDatatype.UInt64 => c.Uint64Contents.ToArray(),
                InferDatatype.Int8 => Narrow(c.IntContents, v => checked((sbyte)v)),
                InferDatatype.Int16 => Narrow(c.IntContents, v => checked((short)v)),
                InferDatatype.Int32 => c.IntContents.ToArray(),
                InferDatatype.Int64 => c.Int64Contents.ToArray(),
                InferDatatype.Fp32 => c.Fp32Contents.ToArray(),
                InferDatatype.Fp64 => c.Fp64Contents.ToArray(),
                _ => throw NoTypedContents(output),
            };

            var typed = (T[])values;
            CheckCount(output, typed.Length, count);
            return typed;
        }
        catch (OverflowException)
        {
            throw new InvalidOperationException(
                $"Output '{output.Name}': a typed contents value is out of range for {output.Datatype}.");
        }

        static TOut[] Narrow<TIn, TOut>(RepeatedField<TIn> values, Func<TIn, TOut> convert) =>
            values.Select(convert).ToArray();
    }

    private static void CheckCount(OutputTensor output, long actual, long expected)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException(
                $"Output '{output.Name}': shape {Shape.Format(output.Shape.ToArray())} holds {expected} elements " +
                $"but the response carries {actual}.");
        }
    }

    private static InvalidOperationException NoTypedContents(OutputTensor output) =>
        new($"Output '{output.Name}' is {output.Datatype}, which has no typed contents field; " +
            "the server must send it in raw_output_contents.");
}
