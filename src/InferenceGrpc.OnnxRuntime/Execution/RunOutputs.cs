using System.Buffers;
using Microsoft.ML.OnnxRuntime;

namespace InferenceGrpc.OnnxRuntime.Execution;

/// <summary>
/// Owns the memory behind one run's <see cref="Core.Tensors.OutputTensor"/>s: ONNX Runtime's output values (read in
/// place) and the pooled arrays string outputs were encoded into. The <see cref="Core.Execution.RunResult"/> owner.
/// </summary>
/// <remarks>Dispose is idempotent and thread-safe; the caller disposes once the outputs are written out.</remarks>
internal sealed class RunOutputs : IDisposable
{
    private readonly IDisposableReadOnlyCollection<OrtValue> _values;
    private byte[]?[]? _rented;
    private int _disposed;

    public RunOutputs(IDisposableReadOnlyCollection<OrtValue> values)
    {
        _values = values;
    }

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Rents an array for output <paramref name="index"/>, returned to the pool on dispose.</summary>
    /// <remarks>Precondition: called only while the run builds its outputs, on one thread.</remarks>
    public byte[] Rent(int index, int length)
    {
        _rented ??= new byte[]?[_values.Count];
        var array = ArrayPool<byte>.Shared.Rent(length);
        _rented[index] = array;
        return array;
    }

    public void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, this);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _values.Dispose();
        if (_rented is { } rented)
        {
            foreach (var array in rented)
            {
                if (array is not null)
                {
                    ArrayPool<byte>.Shared.Return(array);
                }
            }
        }
    }
}
