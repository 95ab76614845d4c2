using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;
using Inference;
using InferenceGrpc.Client.Internal;

namespace InferenceGrpc.Client;

/// <summary>
/// Builds a <see cref="ModelInferRequest"/> whose tensors travel in <c>raw_input_contents</c>
/// (little-endian, row-major). Inputs are validated and copied when added, so the caller's
/// buffers may be reused straight after each call; <see cref="Build"/> may be called repeatedly.
/// </summary>
public sealed class InferRequestBuilder
{
    private readonly string _model;
    private readonly string _version;
    private readonly List<ModelInferRequest.Types.InferInputTensor> _inputs = [];
    private readonly List<ByteString> _raw = [];
    private readonly List<(string Name, int Classification)> _outputs = [];
    private string _id = "";

    /// <param name="model">Model name.</param>
    /// <param name="version">Model version; empty lets the server choose by its version policy.</param>
    public InferRequestBuilder(string model, string version = "")
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        ArgumentNullException.ThrowIfNull(version);
        _model = model;
        _version = version;
    }

    /// <summary>Sets the request id the server echoes in its response.</summary>
    public InferRequestBuilder WithId(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        _id = id;
        return this;
    }

    /// <summary>
    /// Adds a numeric or BOOL input; the datatype follows <typeparamref name="T"/>
    /// (see <see cref="InferDatatype.For{T}"/>). <paramref name="data"/> is row-major.
    /// </summary>
    /// <exception cref="ArgumentException">The element count differs from the shape's volume, or the name is taken.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> has no protocol datatype.</exception>
    public InferRequestBuilder AddInput<T>(string name, long[] shape, ReadOnlySpan<T> data) where T : unmanaged
    {
        var datatype = InferDatatype.For<T>();
        CheckName(name);
        CheckVolume(name, shape, data.Length, "values");
        LittleEndian.EnsureHost();

        ByteString raw;
        if (typeof(T) == typeof(bool))
        {
            // The wire allows only 0 and 1; a bool produced by unsafe code may hold any byte.
            var bools = MemoryMarshal.Cast<T, bool>(data);
            var bytes = new byte[bools.Length];
            for (var i = 0; i < bools.Length; i++)
            {
                bytes[i] = bools[i] ? (byte)1 : (byte)0;
            }

            raw = UnsafeByteOperations.UnsafeWrap(bytes);   // bytes is ours and never written again
        }
        else
        {
            raw = ByteString.CopyFrom(MemoryMarshal.AsBytes(data));
        }

        return Add(name, datatype, shape, raw);
    }

    /// <summary>
    /// Adds an input from bytes already in wire format: little-endian elements of
    /// <paramref name="datatype"/> (the only way to send BF16), or length-prefixed BYTES elements.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown datatype, a byte length that does not match the shape, or broken BYTES framing.</exception>
    public InferRequestBuilder AddRawInput(string name, string datatype, long[] shape, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(datatype);
        CheckName(name);
        if (!InferDatatype.TryGetElementSize(datatype, out var size))
        {
            throw new ArgumentException(
                $"Input '{name}': unknown datatype '{datatype}'; expected one of {string.Join(", ", InferDatatype.All)}.",
                nameof(datatype));
        }

        long count;
        if (size == 0)
        {
            var elements = BytesElements.TryDecode(data, out var problem)
                ?? throw new ArgumentException($"Input '{name}': raw BYTES contents are malformed: {problem}.", nameof(data));
            count = elements.Count;
        }
        else if (data.Length % size != 0)
        {
            throw new ArgumentException(
                $"Input '{name}': {data.Length} bytes is not a whole number of {datatype} elements ({size} bytes each).",
                nameof(data));
        }
        else
        {
            count = data.Length / size;
        }

        CheckVolume(name, shape, count, $"{datatype} elements");
        return Add(name, datatype, shape, ByteString.CopyFrom(data));
    }

    /// <summary>Adds a BYTES input, one byte array per element.</summary>
    public InferRequestBuilder AddBytesInput(string name, long[] shape, IEnumerable<byte[]> elements)
    {
        ArgumentNullException.ThrowIfNull(elements);
        CheckName(name);
        var list = elements.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is null)
            {
                throw new ArgumentException($"Input '{name}': element {i} is null.", nameof(elements));
            }
        }

        CheckVolume(name, shape, list.Count, "elements");
        return Add(name, InferDatatype.Bytes, shape, UnsafeByteOperations.UnsafeWrap(BytesElements.Encode(list)));
    }

    /// <summary>Adds a BYTES input from strings, each encoded as UTF-8.</summary>
    public InferRequestBuilder AddStringInput(string name, long[] shape, IEnumerable<string> elements)
    {
        ArgumentNullException.ThrowIfNull(elements);
        return AddBytesInput(name, shape, elements.Select((s, i) => s is null
            ? throw new ArgumentException($"Input '{name}': string {i} is null.", nameof(elements))
            : Encoding.UTF8.GetBytes(s)));
    }

    /// <summary>
    /// Asks for <paramref name="name"/> by name; with none requested the server returns every output. A
    /// <paramref name="classification"/> above 0 asks for the output's top-k classes instead of the tensor (Triton's
    /// classification extension): BYTES strings "score:index:label", [batch, k] for a batched output.
    /// </summary>
    public InferRequestBuilder RequestOutput(string name, int classification = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(classification);
        if (_outputs.Exists(o => o.Name == name))
        {
            throw new ArgumentException($"Output '{name}' is already requested.", nameof(name));
        }

        _outputs.Add((name, classification));
        return this;
    }

    /// <summary>A new request holding everything added so far.</summary>
    public ModelInferRequest Build()
    {
        var request = new ModelInferRequest { ModelName = _model, ModelVersion = _version, Id = _id };
        foreach (var input in _inputs)
        {
            // Clone: the caller may edit the request, and a later Build must not see that.
            request.Inputs.Add(input.Clone());
        }

        request.RawInputContents.AddRange(_raw);   // ByteString is immutable; sharing is safe
        foreach (var (name, classification) in _outputs)
        {
            var output = new ModelInferRequest.Types.InferRequestedOutputTensor { Name = name };
            if (classification > 0)
            {
                output.Parameters["classification"] = new InferParameter { Int64Param = classification };
            }

            request.Outputs.Add(output);
        }

        return request;
    }

    private InferRequestBuilder Add(string name, string datatype, long[] shape, ByteString raw)
    {
        var tensor = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = datatype };
        tensor.Shape.AddRange(shape);
        _inputs.Add(tensor);
        _raw.Add(raw);
        return this;
    }

    private void CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (_inputs.Exists(i => i.Name == name))
        {
            throw new ArgumentException($"Input '{name}' is already added.", nameof(name));
        }
    }

    private static void CheckVolume(string name, long[] shape, long count, string what)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (!Shape.TryGetVolume(shape, out var volume))
        {
            throw new ArgumentException(
                $"Input '{name}': shape {Shape.Format(shape)} is invalid (negative dimension or too many elements).",
                nameof(shape));
        }

        if (volume != count)
        {
            throw new ArgumentException(
                $"Input '{name}': shape {Shape.Format(shape)} holds {volume} elements but {count} {what} were given.",
                nameof(shape));
        }
    }
}
