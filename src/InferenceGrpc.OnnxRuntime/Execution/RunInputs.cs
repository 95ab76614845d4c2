using System.Buffers;
using System.Text.Unicode;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.OnnxRuntime.Metadata;
using Microsoft.ML.OnnxRuntime;

namespace InferenceGrpc.OnnxRuntime.Execution;

/// <summary>
/// The inputs of one run as ONNX Runtime values: numeric tensors over pinned pooled copies of the request bytes,
/// string tensors filled element by element. Dispose releases all of it, however far <see cref="Add"/> got.
/// </summary>
/// <remarks>Precondition: one run on one thread; disposed as soon as Run returns (ORT no longer reads inputs then).</remarks>
internal sealed class RunInputs : IDisposable
{
    private readonly string _model;
    private readonly byte[]?[] _rented;
    private readonly MemoryHandle[] _pins;

    public RunInputs(string model, int count)
    {
        _model = model;
        _rented = new byte[]?[count];
        _pins = new MemoryHandle[count];
        Names = new string[count];
        Values = new OrtValue[count];
    }

    public string[] Names { get; }

    public OrtValue[] Values { get; }

    /// <exception cref="InferenceException">InvalidArgument when a string element is not UTF-8.</exception>
    public void Add(int index, InputTensor input)
    {
        Names[index] = input.Name;
        if (input.DataType == DataType.Bytes)
        {
            AddStrings(index, input);
        }
        else
        {
            AddNumeric(index, input);
        }
    }

    public void Dispose()
    {
        // The OrtValue goes first: it points into the pinned array, which may be reused once returned.
        for (var i = 0; i < Values.Length; i++)
        {
            Values[i]?.Dispose();
            _pins[i].Dispose();
            if (_rented[i] is { } array)
            {
                ArrayPool<byte>.Shared.Return(array);
            }
        }
    }

    private unsafe void AddNumeric(int index, InputTensor input)
    {
        // One copy into a pooled array: the request's bytes may be unaligned and are not ours to pin for the run.
        var length = input.Data.Length;
        var array = ArrayPool<byte>.Shared.Rent(length);
        _rented[index] = array;
        input.Data.Span.CopyTo(array);
        _pins[index] = array.AsMemory(0, length).Pin();
        Values[index] = OrtValue.CreateTensorValueWithData(
            OrtMemoryInfo.DefaultInstance,
            OnnxElementTypes.ToElementType(input.DataType),
            input.Shape,
            (IntPtr)_pins[index].Pointer,
            length);
    }

    private void AddStrings(int index, InputTensor input)
    {
        var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, input.Shape);
        Values[index] = value;
        var element = 0;
        foreach (var bytes in BytesTensor.Enumerate(input.Data.Span))
        {
            // ONNX strings are UTF-8 and ORT copies whatever it is given: a model would see garbage, so refuse it here.
            if (!Utf8.IsValid(bytes))
            {
                InferenceException.ThrowInputInvalid(_model, input.Name, $"element {element} is not valid UTF-8; BYTES inputs of ONNX string tensors must be UTF-8 text");
            }

            value.StringTensorSetElementAt(bytes, element++);
        }
    }
}
