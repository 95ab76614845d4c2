using System.Buffers;
using System.Runtime.InteropServices;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Processors.Execution;

/// <summary>
/// The memory behind one run's outputs: arrays rented from the shared pool, returned when the scheduler disposes the
/// run's result (the outputs are written out by then). So a processor allocates no output arrays per batch.
/// </summary>
internal sealed class OutputBuffers : IDisposable
{
    private readonly List<byte[]> _rented = new(3);

    /// <summary>Rents room for a tensor of <paramref name="shape"/>; <paramref name="data"/> is the exact byte range.</summary>
    public Memory<byte> Rent(DataType type, long[] shape, out Span<byte> data)
    {
        var bytes = checked((int)(shape.Aggregate(1L, static (a, d) => checked(a * d)) * type.ElementSize()));
        var array = ArrayPool<byte>.Shared.Rent(bytes);
        _rented.Add(array);
        var memory = array.AsMemory(0, bytes);
        data = memory.Span;
        return memory;
    }

    /// <summary>Rents a tensor and returns it typed, zero-filled (padding and masks rely on the zeros).</summary>
    public Span<T> RentZeroed<T>(string name, DataType type, long[] shape, List<OutputTensor> outputs)
        where T : struct
    {
        var memory = Rent(type, shape, out var data);
        data.Clear();
        outputs.Add(new OutputTensor(name, type, shape, memory));
        return MemoryMarshal.Cast<byte, T>(data);
    }

    public void Dispose()
    {
        foreach (var array in _rented)
        {
            ArrayPool<byte>.Shared.Return(array);
        }

        _rented.Clear();
    }
}
