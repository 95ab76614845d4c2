using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.OnnxRuntime.Diagnostics;
using InferenceGrpc.OnnxRuntime.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace InferenceGrpc.OnnxRuntime.Execution;

/// <summary>
/// One ONNX Runtime session: one instance of a model version. <see cref="Run"/> is thread-safe: ORT sessions run
/// concurrently, and the shared <see cref="RunOptions"/> is only read. Inputs and outputs pass either as OrtValues
/// to <c>Run</c> or through an IOBinding (<see cref="RunBinding"/>); both give the same outputs.
/// </summary>
internal sealed class OnnxModelRunner : IModelRunner
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly IoBindingRun? _ioBinding;
    private readonly string _model;
    private readonly long _version;
    private readonly ILogger _logger;

    /// <summary>Takes ownership of <paramref name="session"/>.</summary>
    public OnnxModelRunner(
        InferenceSession session, ModelGraph graph, string device, string model, long version, ILogger logger, RunBinding binding = RunBinding.OrtValues)
    {
        _session = session;
        _ioBinding = binding == RunBinding.IoBinding ? new IoBindingRun(session) : null;
        Graph = graph;
        Device = device;
        _model = model;
        _version = version;
        _logger = logger;
    }

    public ModelGraph Graph { get; }

    public string Device { get; }

    public RunBinding Binding => _ioBinding is null ? RunBinding.OrtValues : RunBinding.IoBinding;

    /// <remarks>Precondition: the inputs were validated against the signature (names, datatypes, shapes, sizes).</remarks>
    public RunResult Run(IReadOnlyList<InputTensor> inputs, IReadOnlyList<string> outputNames)
    {
        var values = Execute(inputs, outputNames);
        var owner = new RunOutputs(values);
        try
        {
            var outputs = new OutputTensor[outputNames.Count];
            for (var i = 0; i < outputs.Length; i++)
            {
                outputs[i] = ToOutput(outputNames[i], values[i], i, owner);
            }

            return new RunResult(outputs, owner);
        }
        catch (OnnxRuntimeException ex)
        {
            owner.Dispose();
            throw RunFailed(ex);
        }
        catch
        {
            owner.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        // The binding belongs to the session: release it first.
        _ioBinding?.Dispose();
        _session.Dispose();
        _runOptions.Dispose();
    }

    // The inputs live only for this call: once Run returns, ORT has read them and the outputs are its own memory.
    private IDisposableReadOnlyCollection<OrtValue> Execute(IReadOnlyList<InputTensor> inputs, IReadOnlyList<string> outputNames)
    {
        using var bound = new RunInputs(_model, inputs.Count);
        try
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                bound.Add(i, inputs[i]);
            }

            return _ioBinding is null
                ? _session.Run(_runOptions, bound.Names, bound.Values, outputNames)
                : _ioBinding.Run(_runOptions, bound, outputNames);
        }
        catch (OnnxRuntimeException ex)
        {
            throw RunFailed(ex);
        }
    }

    private static OutputTensor ToOutput(string name, OrtValue value, int index, RunOutputs owner)
    {
        var info = value.GetTensorTypeAndShape();
        if (!OnnxElementTypes.TryToDataType(info.ElementDataType, out var dataType))
        {
            // The graph was checked at load; a kernel that returns another type is a backend fault.
            ThrowOutputUnusable(name, $"element type {info.ElementDataType}");
        }

        var data = dataType == DataType.Bytes
            ? EncodeStrings(name, value, info.ElementCount, index, owner)
            : WrapNative(value, owner);
        return new OutputTensor(name, dataType, info.Shape, data);
    }

    private static unsafe ReadOnlyMemory<byte> WrapNative(OrtValue value, RunOutputs owner)
    {
        var raw = value.GetTensorMutableRawData();
        if (raw.IsEmpty)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var pointer = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(raw));
        return new NativeMemoryManager(owner, pointer, raw.Length).Memory;
    }

    // ORT keeps strings in its own layout; the protocol's is 4-byte length + bytes, so one encode is unavoidable.
    private static ReadOnlyMemory<byte> EncodeStrings(string name, OrtValue value, long count, int index, RunOutputs owner)
    {
        long total = 0;
        for (var i = 0; i < count; i++)
        {
            total += sizeof(uint) + value.GetStringElementAsSpan(i).Length;
        }

        if (total > Array.MaxLength)
        {
            ThrowOutputUnusable(name, $"{total} bytes of strings");
        }

        var length = (int)total;
        var buffer = owner.Rent(index, length);
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            offset += BytesTensor.WriteElement(buffer.AsSpan(offset), value.GetStringElementAsSpan(i));
        }

        return buffer.AsMemory(0, length);
    }

    private InferenceException RunFailed(OnnxRuntimeException ex)
    {
        OnnxRuntimeLog.RunFailed(_logger, ex, _model, _version);
        return new InferenceException(InferenceErrorKind.Internal, $"model '{_model}' version {_version}: execution failed");
    }

    [DoesNotReturn]
    private static void ThrowOutputUnusable(string name, string what) =>
        throw new InferenceException(InferenceErrorKind.Internal, $"output '{name}' cannot be returned ({what})");
}
