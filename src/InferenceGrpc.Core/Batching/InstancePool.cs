using InferenceGrpc.Core.Execution;
using Microsoft.Extensions.ObjectPool;

namespace InferenceGrpc.Core.Batching;

/// <summary>
/// The instances (sessions) of one model version: a semaphore bounds how many run at once, an
/// <see cref="ObjectPool{T}"/> hands out the idle ones. Every instance is created and warmed at load, so the pool
/// never creates one on the request path: its policy refuses to.
/// </summary>
internal sealed class InstancePool : IDisposable
{
    private readonly SemaphoreSlim _free;
    private readonly ObjectPool<IModelRunner> _idle;
    private readonly IReadOnlyList<IModelRunner> _all;

    public InstancePool(IReadOnlyList<IModelRunner> instances)
    {
        ArgumentOutOfRangeException.ThrowIfZero(instances.Count);
        _all = instances;
        _free = new SemaphoreSlim(instances.Count, instances.Count);
        _idle = new DefaultObjectPool<IModelRunner>(new RefuseToCreate(), instances.Count);
        foreach (var instance in instances)
        {
            _idle.Return(instance);
        }
    }

    private int _busy;

    public int Count => _all.Count;

    /// <summary>
    /// Instances running a batch now. Counted apart from the semaphore: the batcher holds a slot while it waits for
    /// requests, and an idle instance must not look busy.
    /// </summary>
    public int Busy => Volatile.Read(ref _busy);

    /// <summary>Waits for a free slot. The caller then <see cref="Take"/>s an instance and <see cref="Release"/>s it.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _free.WaitAsync(cancellationToken);

    /// <summary>Precondition: a slot was acquired with <see cref="WaitAsync"/>.</summary>
    public IModelRunner Take()
    {
        var instance = _idle.Get();
        Interlocked.Increment(ref _busy);
        return instance;
    }

    public void Release(IModelRunner instance)
    {
        Interlocked.Decrement(ref _busy);
        _idle.Return(instance);
        _free.Release();
    }

    /// <summary>Gives back a slot acquired but not used.</summary>
    public void ReleaseSlot() => _free.Release();

    /// <summary>Waits until every instance is idle, at most <paramref name="timeout"/> as <paramref name="time"/> counts it.</summary>
    public async Task<bool> DrainAsync(TimeSpan timeout, TimeProvider time)
    {
        var acquired = 0;
        using var expiry = new CancellationTokenSource(timeout, time);
        try
        {
            while (acquired < _all.Count)
            {
                await _free.WaitAsync(expiry.Token).ConfigureAwait(false);
                acquired++;
            }
        }
        catch (OperationCanceledException) when (expiry.IsCancellationRequested)
        {
            // Timed out: the caller disposes the instances anyway.
        }

        if (acquired > 0)
        {
            _free.Release(acquired);
        }

        return acquired == _all.Count;
    }

    /// <summary>
    /// Disposes every instance. The semaphore is left undisposed (it holds no wait handle): a batch that outlived
    /// the drain still releases its slot, and that must not throw.
    /// </summary>
    public void Dispose()
    {
        foreach (var instance in _all)
        {
            instance.Dispose();
        }
    }

    private sealed class RefuseToCreate : IPooledObjectPolicy<IModelRunner>
    {
        public IModelRunner Create() =>
            throw new InvalidOperationException("model instances are created at load; the semaphore must guard every Get");

        public bool Return(IModelRunner obj) => true;
    }
}
