namespace InferenceGrpc.Core.Batching;

/// <summary>
/// The bounded priority queue of one scheduler: FIFO within a level, level 1 first. Thread-safe; callers never
/// wait on it. Requests completed while queued (cancelled, expired) stay until the batcher skips them, and count
/// against the bound until then, except that a full queue first sweeps them out.
/// </summary>
internal sealed class RequestQueue
{
    private readonly Lock _lock = new();
    private readonly List<PendingInference>[] _levels;
    private readonly int _capacity;
    private int _count;

    public RequestQueue(int priorityLevels, int capacity)
    {
        _levels = new List<PendingInference>[priorityLevels];
        for (var i = 0; i < _levels.Length; i++)
        {
            _levels[i] = [];
        }

        _capacity = capacity;
    }

    /// <summary>Requests queued now, including ones completed but not yet swept.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Queues a request unless the queue is full of live ones; expired requests are failed to make room.</summary>
    public bool TryEnqueue(PendingInference pending, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_count >= _capacity && SweepCompleted(now) == 0)
            {
                return false;
            }

            _levels[pending.PriorityLevel - 1].Add(pending);
            _count++;
            return true;
        }
    }

    /// <summary>
    /// Takes the next batch: the oldest request of the highest level, then every later request (across levels,
    /// in priority order) whose row shapes match it, while the rows fit <paramref name="maxRows"/>. Completed
    /// requests met on the way are dropped. Returns the rows taken (0 when the queue holds nothing live).
    /// </summary>
    /// <param name="take">False to only count what a batch would hold now, leaving the queue as it is.</param>
    public int TakeBatch(List<PendingInference> batch, int maxRows, bool batched, bool take)
    {
        lock (_lock)
        {
            var rows = 0;
            PendingInference? head = null;
            foreach (var level in _levels)
            {
                for (var i = 0; i < level.Count; i++)
                {
                    var candidate = level[i];
                    if (candidate.IsCompleted)
                    {
                        continue;
                    }

                    if (head is null)
                    {
                        // The head always goes, even if alone it exceeds nothing: validation capped it at max rows.
                        head = candidate;
                    }
                    else if (rows + candidate.BatchSize > maxRows || !ShapeKey.SameRows(head, candidate, batched))
                    {
                        continue;
                    }

                    rows += candidate.BatchSize;
                    batch.Add(candidate);
                    if (rows >= maxRows)
                    {
                        goto done;
                    }
                }
            }

        done:
            if (take)
            {
                Remove(batch);
            }

            return rows;
        }
    }

    /// <summary>
    /// The oldest live request of the highest level, or null when none. Requests completed while queued
    /// (cancelled, expired) are swept out on the way, so the depth never counts callers that have gone.
    /// </summary>
    public PendingInference? PeekHead()
    {
        lock (_lock)
        {
            PendingInference? head = null;
            foreach (var level in _levels)
            {
                _count -= level.RemoveAll(static p => p.IsCompleted);
                head ??= level.Count > 0 ? level[0] : null;
            }

            return head;
        }
    }

    /// <summary>Removes and returns every queued request (shutdown).</summary>
    public List<PendingInference> DrainAll()
    {
        lock (_lock)
        {
            var all = _levels.SelectMany(l => l).ToList();
            foreach (var level in _levels)
            {
                level.Clear();
            }

            _count = 0;
            return all;
        }
    }

    // Precondition: _lock held.
    private void Remove(List<PendingInference> batch)
    {
        foreach (var level in _levels)
        {
            var removed = level.RemoveAll(p => p.IsCompleted || batch.Contains(p));
            _count -= removed;
        }
    }

    // Precondition: _lock held.
    private int SweepCompleted(DateTimeOffset now)
    {
        var swept = 0;
        foreach (var level in _levels)
        {
            swept += level.RemoveAll(p =>
            {
                if (!p.IsCompleted && now >= p.Deadline)
                {
                    p.TryFail(new Inference.InferenceException(Inference.InferenceErrorKind.DeadlineExceeded,
                        "the request's deadline passed while it was queued; it was not run"));
                }

                return p.IsCompleted;
            });
        }

        _count -= swept;
        return swept;
    }
}
