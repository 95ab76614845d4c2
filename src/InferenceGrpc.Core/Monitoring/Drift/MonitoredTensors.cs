using System.Diagnostics;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Monitoring.Drift;

/// <summary>One monitored input: which elements of each row are features.</summary>
internal sealed record MonitoredInput(string Name, DataType DataType, int RowElements, int[] Elements);

/// <summary>One monitored feature: its label ("x[3]"), reference, window and whether it is drifting now.</summary>
[DebuggerDisplay("{Label}")]
internal sealed class FeatureSlot(string label, FeatureBaseline baseline, SlidingWindow window)
{
    public string Label { get; } = label;

    public FeatureBaseline Baseline { get; } = baseline;

    public SlidingWindow Window { get; } = window;

    public bool Drifting { get; set; }
}

/// <summary>One monitored output: its reference prediction distribution and window.</summary>
internal sealed class MonitoredOutput(string name, DataType dataType, OutputBaseline baseline, SlidingWindow window)
{
    public string Name { get; } = name;

    public DataType DataType { get; } = dataType;

    public OutputBaseline Baseline { get; } = baseline;

    public SlidingWindow Window { get; } = window;

    public bool Drifting { get; set; }
}

/// <summary>
/// Sampled rows of one request, copied out of it: feature values row-major, then one prediction per output per row.
/// The arrays are rented (possibly longer than needed) and go back to the pool through <see cref="VersionDrift.Release"/>.
/// </summary>
internal sealed record DriftSample(VersionDrift Target, int Rows, double[] Values, double[] Predictions);
