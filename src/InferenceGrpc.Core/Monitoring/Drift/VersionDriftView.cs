namespace InferenceGrpc.Core.Monitoring.Drift;

/// <summary>What a monitored version reports, for tests and tools: its identity, counters and latest figures.</summary>
public readonly struct VersionDriftView
{
    private readonly VersionDrift _drift;

    internal VersionDriftView(VersionDrift drift) => _drift = drift;

    public string Model => _drift.Version.ModelName;

    public long Version => _drift.Version.Version;

    public DriftSettings Settings => _drift.Settings;

    public long SampledRows => _drift.SampledRows;

    public long DroppedRows => _drift.DroppedRows;

    /// <summary>Null until the windows hold drift.min_samples rows.</summary>
    public DriftFigures? Figures => _drift.Figures;
}
