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

    public int Count => _all.Count;

    /// <summary>Instances running a batch now.</summary>
    public int Busy => _all.Count - _free.CurrentCount;

    /// <summary>Waits for a free slot. The caller then <see cref="Take"/>s an instance and <see cref="Release"/>s it.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _free.WaitAsync(cancellationToken);

    /// <summary>Precondition: a slot was acquired with <see cref="WaitAsync"/>.</summary>
    public IModelRunner Take() => _idle.Get();

    public void Release(IModelRunner instance)
    {
        _idle.Return(instance);
        _free.Release();
    }

    /// <summary>Gives back a slot acquired but not used.</summary>
    public void ReleaseSlot() => _free.Release();

    /// <summary>Waits until every instance is idle, at most <paramref name="timeout"/>.</summary>
    public async Task<bool> DrainAsync(TimeSpan timeout)
    {
        var acquired = 0;
        var deadline = DateTime.UtcNow + timeout;
        while (acquired < _all.Count)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _free.WaitAsync(left).ConfigureAwait(false))
            {
                break;
            }

            acquired++;
        }

        if (acquired > 0)
        {
            _free.Release(acquired);
        }

        return acquired == _all.Count;
    }

    public void Dispose()
    {
        foreach (var instance in _all)
        {
            instance.Dispose();
        }

        _free.Dispose();
    }

    private sealed class RefuseToCreate : IPooledObjectPolicy<IModelRunner>
    {
        public IModelRunner Create() =>
            throw new InvalidOperationException("model instances are created at load; the semaphore must guard every Get");

        public bool Return(IModelRunner obj) => true;
    }
}
