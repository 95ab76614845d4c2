namespace InferenceGrpc.Core.Monitoring.Drift;

/// <summary>
/// The last N values of one feature (or one output's prediction), kept as counts against its reference: PSI bin,
/// CDF slot and flags per value, so adding a value and evicting the oldest are O(log bins) and the figures are
/// O(bins + quantiles) whatever N is. Three bytes per value of memory.
/// Precondition: one thread at a time (the drift consumer).
/// </summary>
internal sealed class SlidingWindow
{
    private const byte Missing = 1;
    private const byte OutOfRange = 2;

    private readonly double[] _edges;
    private readonly double[] _quantiles;
    private readonly double _min;
    private readonly double _max;
    private readonly byte[] _bins;
    private readonly byte[] _slots;
    private readonly byte[] _flags;
    private readonly int[] _binCounts;
    private readonly int[] _slotCounts;
    private int _next;

    /// <param name="quantiles">Empty for a prediction: KS and range are then not measured.</param>
    public SlidingWindow(int capacity, double[] edges, double[] quantiles, double min, double max)
    {
        _edges = edges;
        _quantiles = quantiles;
        _min = min;
        _max = max;
        _bins = new byte[capacity];
        _slots = new byte[capacity];
        _flags = new byte[capacity];
        _binCounts = new int[edges.Length + 1];
        _slotCounts = new int[quantiles.Length + 1];
    }

    /// <summary>Values in the window (at most its capacity).</summary>
    public int Count { get; private set; }

    public int MissingCount { get; private set; }

    public int OutOfRangeCount { get; private set; }

    public void Add(double value)
    {
        if (Count == _bins.Length)
        {
            Evict(_next);
        }
        else
        {
            Count++;
        }

        if (!double.IsFinite(value))
        {
            _flags[_next] = Missing;
            MissingCount++;
        }
        else
        {
            var bin = (byte)DriftMath.Bin(_edges, value);
            var slot = (byte)DriftMath.CdfSlot(_quantiles, value);
            var flags = value < _min || value > _max ? OutOfRange : (byte)0;
            _bins[_next] = bin;
            _slots[_next] = slot;
            _flags[_next] = flags;
            _binCounts[bin]++;
            _slotCounts[slot]++;
            if (flags == OutOfRange)
            {
                OutOfRangeCount++;
            }
        }

        _next = _next + 1 == _bins.Length ? 0 : _next + 1;
    }

    /// <summary>PSI of the finite values against the reference bin proportions.</summary>
    public double Psi(ReadOnlySpan<double> referenceProportions) =>
        DriftMath.Psi(_binCounts, Count - MissingCount, referenceProportions);

    /// <summary>KS statistic of the finite values against the reference CDF at the quantiles.</summary>
    public double Ks(ReadOnlySpan<double> referenceCdf) =>
        DriftMath.Ks(_slotCounts, Count - MissingCount, referenceCdf);

    public double MissingRatio => Count == 0 ? 0 : (double)MissingCount / Count;

    public double OutOfRangeRatio => Count == 0 ? 0 : (double)OutOfRangeCount / Count;

    private void Evict(int position)
    {
        var flags = _flags[position];
        if (flags == Missing)
        {
            MissingCount--;
            return;
        }

        _binCounts[_bins[position]]--;
        _slotCounts[_slots[position]]--;
        if (flags == OutOfRange)
        {
            OutOfRangeCount--;
        }
    }
}
