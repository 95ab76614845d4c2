using System.Buffers;

namespace InferenceGrpc.OnnxRuntime.Execution;

/// <summary>
/// Exposes an output tensor's native buffer as <see cref="Memory{T}"/>, so the bytes ONNX Runtime wrote reach the
/// response without a copy. The buffer belongs to <see cref="RunOutputs"/>; this only looks at it.
/// </summary>
/// <remarks>Precondition: the OrtValue that owns the buffer stays alive until <see cref="RunOutputs"/> is disposed,
/// and reads after that throw rather than read freed memory.</remarks>
internal sealed unsafe class NativeMemoryManager : MemoryManager<byte>
{
    private readonly RunOutputs _owner;
    private readonly byte* _pointer;
    private readonly int _length;

    public NativeMemoryManager(RunOutputs owner, byte* pointer, int length)
    {
        _owner = owner;
        _pointer = pointer;
        _length = length;
    }

    public override Span<byte> GetSpan()
    {
        _owner.ThrowIfDisposed();
        return new Span<byte>(_pointer, _length);
    }

    // Native memory never moves, so pinning is just handing out the address.
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        _owner.ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, _length);
        return new MemoryHandle(_pointer + elementIndex);
    }

    public override void Unpin()
    {
    }

    // Nothing to free here: RunOutputs releases the OrtValue that owns the buffer.
    protected override void Dispose(bool disposing)
    {
    }
}
