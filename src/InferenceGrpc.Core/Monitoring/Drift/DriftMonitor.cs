using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using InferenceGrpc.Core.Diagnostics;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using Microsoft.Extensions.Logging;

namespace InferenceGrpc.Core.Monitoring.Drift;

/// <summary>
/// Drift and data-quality monitoring. On the request path it only decides whether to sample (a lookup, then a
/// lock-free counter), copies the sampled rows' monitored elements and hands them to a bounded queue, dropping and
/// counting when that is full. One consumer (<see cref="RunAsync"/>) folds samples into per-feature sliding windows,
/// computes PSI, KS, NaN and out-of-range ratios against the version's baseline, logs threshold crossings, and
/// publishes the figures for the "InferenceGrpc" meter's gauges. A version is set up once loaded (a background pass
/// over the registry, or its first request if that comes first) and forgotten once it leaves the registry, so
/// unloaded versions stop exporting and free their windows.
/// </summary>
public sealed class DriftMonitor : IInferenceObserver
{
    private readonly ModelRegistry _registry;
    private readonly DriftOptions _options;
    private readonly Func<ModelVersion, string?> _baselinePath;
    private readonly ILogger _logger;
    private readonly DriftAlerts _alerts;
    private readonly Channel<DriftSample> _queue;
    private readonly Lock _setupLock = new();
    private readonly Lock _consumerLock = new();
    private readonly HashSet<VersionDrift> _due = [];

    // Null values are versions seen with drift off: the request path then costs this lookup only. Keys compare by
    // reference: a reloaded version is a new instance with possibly a new baseline.
    private readonly ConcurrentDictionary<ModelVersion, VersionDrift?> _versions = new(ReferenceEqualityComparer.Instance);

    /// <param name="baselinePath">Where a version's baseline.json would be (the server: in the version's folder).</param>
    public DriftMonitor(ModelRegistry registry, DriftOptions options, Func<ModelVersion, string?> baselinePath, ILoggerFactory loggerFactory, IMeterFactory? meterFactory = null)
    {
        _registry = registry;
        _options = options;
        _baselinePath = baselinePath;
        _logger = loggerFactory.CreateLogger<DriftMonitor>();
        _alerts = new DriftAlerts(_logger);
        _queue = Channel.CreateBounded<DriftSample>(new BoundedChannelOptions(options.QueueCapacity)
        {
            // Wait mode makes TryWrite answer false when full (DropWrite would drop silently): a full queue drops
            // the new sample and counts it, never blocking a request.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            AllowSynchronousContinuations = false,
        });

        if (meterFactory is not null)
        {
            CreateInstruments(meterFactory.Create(InferenceMetrics.MeterName));
        }
    }

    /// <summary>The versions monitored now (drift on and still in the registry).</summary>
    public IReadOnlyList<VersionDriftView> Monitored =>
        _versions.Values.Where(v => v is not null && IsCurrent(v.Version)).Select(v => new VersionDriftView(v!)).ToList();

    /// <summary>Versions the monitor holds state for (monitored or seen with drift off): for leak tests.</summary>
    internal int TrackedVersions => _versions.Count;

    public void OnCompleted(in InferenceObservation observation)
    {
        if (!_options.Enabled)
        {
            return;
        }

        if (!_versions.TryGetValue(observation.Version, out var drift))
        {
            drift = SetUp(observation.Version);
        }

        if (drift is null || !drift.ShouldSample())
        {
            return;
        }

        var sample = drift.Copy(observation.Request, observation.Result);
        var accepted = _queue.Writer.TryWrite(sample);
        drift.Count(sample.Rows, accepted);
        if (!accepted)
        {
            VersionDrift.Release(sample);
        }
    }

    /// <summary>
    /// The consumer loop, and beside it a pass over the registry every <paramref name="setUpEvery"/> (default 1 s)
    /// that sets up newly loaded versions, so their baseline is read here rather than by their first request.
    /// Runs until <paramref name="cancellationToken"/> fires (the host's background service).
    /// </summary>
    public Task RunAsync(CancellationToken cancellationToken, TimeSpan? setUpEvery = null, TimeProvider? time = null) =>
        Task.WhenAll(ConsumeAsync(cancellationToken), SetUpLoadedAsync(setUpEvery ?? TimeSpan.FromSeconds(1), time ?? TimeProvider.System, cancellationToken));

    /// <summary>
    /// Sets up every ready version of the registry not seen yet: reads and checks its baseline and builds its windows.
    /// A version's first request does the same when it comes first.
    /// </summary>
    public void SetUpLoaded()
    {
        if (!_options.Enabled)
        {
            return;
        }

        foreach (var model in _registry.Models)
        {
            foreach (var version in model.Versions.Values)
            {
                if (version.State == ModelState.Ready && !_versions.ContainsKey(version))
                {
                    SetUp(version);
                }
            }
        }
    }

    private async Task ConsumeAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                ProcessPending(evaluateAll: false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown: queued samples are statistics, not requests; they are let go.
        }
    }

    private async Task SetUpLoadedAsync(TimeSpan period, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(period, time);
        try
        {
            do
            {
                SetUpLoaded();
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    /// <summary>
    /// Folds every queued sample into its windows now, on the caller's thread, and (unless told not to) refreshes the
    /// figures of every version that got rows: for tests and tools that need the figures deterministically, without
    /// waiting. Without <paramref name="evaluate"/>, figures are refreshed only when due, as the background loop does.
    /// </summary>
    public void Flush(bool evaluate = true) => ProcessPending(evaluateAll: evaluate);

    private void ProcessPending(bool evaluateAll)
    {
        lock (_consumerLock)
        {
            while (_queue.Reader.TryRead(out var sample))
            {
                try
                {
                    if (sample.Target.Add(sample) || evaluateAll)
                    {
                        _due.Add(sample.Target);
                    }
                }
#pragma warning disable CA1031 // one bad sample must not stop the monitoring of every model
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    DriftLog.SampleFailed(_logger, ex, sample.Target.Version.ModelName, sample.Target.Version.Version);
                }
                finally
                {
                    VersionDrift.Release(sample);
                }
            }

            foreach (var drift in _due)
            {
                drift.Evaluate(_alerts);
            }

            _due.Clear();
        }

        Prune();
    }

    private VersionDrift? SetUp(ModelVersion version)
    {
        lock (_setupLock)
        {
            if (_versions.TryGetValue(version, out var known))
            {
                return known;
            }

            if (!IsCurrent(version))
            {
                // A request that raced an unload: not worth setting up, and caching it would leak the version.
                return null;
            }

            Prune();
            var drift = Create(version);
            _versions[version] = drift;
            return drift;
        }
    }

    private VersionDrift? Create(ModelVersion version)
    {
        try
        {
            var settings = DriftSettings.Resolve(version.Config.Parameters, _options);
            if (!settings.Enabled || settings.SampleRate <= 0)
            {
                return null;
            }

            var path = _baselinePath(version);
            if (path is null || !File.Exists(path))
            {
                DriftLog.BaselineMissing(_logger, version.ModelName, version.Version, path ?? DriftBaseline.FileName);
                return null;
            }

            var drift = VersionDrift.Create(version, DriftBaselineJson.Parse(File.ReadAllText(path)), settings);
            DriftLog.MonitoringOn(_logger, version.ModelName, version.Version, drift.Features.Length,
                Math.Min(drift.Features.Length, settings.MaxFeatures), drift.Outputs.Count, settings.SampleRate, settings.Window);
            return drift;
        }
        catch (Exception ex) when (ex is DriftBaselineException or IOException or UnauthorizedAccessException)
        {
            DriftLog.BaselineInvalid(_logger, version.ModelName, version.Version, ex.Message);
            return null;
        }
#pragma warning disable CA1031 // a bug here must leave the version unmonitored (cached as off), never retried per request
        catch (Exception ex)
#pragma warning restore CA1031
        {
            DriftLog.SetUpFailed(_logger, ex, version.ModelName, version.Version);
            return null;
        }
    }

    private bool IsCurrent(ModelVersion version) =>
        _registry.TryGetModel(version.ModelName, out var model) &&
        model.Versions.TryGetValue(version.Version, out var current) &&
        ReferenceEquals(current, version);

    /// <summary>Forgets versions that left the registry: their series stop and their windows are freed.</summary>
    private void Prune()
    {
        foreach (var version in _versions.Keys)
        {
            if (!IsCurrent(version))
            {
                _versions.TryRemove(version, out _);
            }
        }
    }

    private void CreateInstruments(Meter meter)
    {
        meter.CreateObservableGauge("inference.drift.psi", () => Features(f => f.Psi), null,
            "Population stability index of a feature's recent values against the version's baseline bins.");
        meter.CreateObservableGauge("inference.drift.ks", () => Features(f => f.Ks), null,
            "Kolmogorov-Smirnov statistic of a feature's recent values against the baseline CDF.");
        meter.CreateObservableGauge("inference.drift.nan_ratio", () => Features(f => f.NanRatio), null,
            "Fraction of a feature's recent values that were NaN or infinite.");
        meter.CreateObservableGauge("inference.drift.out_of_range_ratio", () => Features(f => f.OutOfRangeRatio), null,
            "Fraction of a feature's recent values outside the baseline's [min, max].");
        meter.CreateObservableGauge("inference.drift.prediction_psi", Predictions, null,
            "Population stability index of an output's recent predictions (argmax classes or top scores) against the baseline.");
        meter.CreateObservableGauge("inference.drift.window", () => PerVersion(v => v.Figures?.WindowRows ?? 0), "{row}",
            "Rows in a version's drift windows (figures are exported once it reaches drift.min_samples).");
        meter.CreateObservableCounter("inference.drift.samples", () => PerVersion(v => v.SampledRows), "{row}",
            "Rows sampled for drift monitoring and queued for the consumer.");
        meter.CreateObservableCounter("inference.drift.dropped", () => PerVersion(v => v.DroppedRows), "{row}",
            "Sampled rows dropped because the drift queue was full; requests are never delayed for monitoring.");
    }

    private IEnumerable<Measurement<double>> Features(Func<DriftFigures, double[]> figure)
    {
        foreach (var drift in Current())
        {
            if (drift.Figures is not { } figures)
            {
                continue;
            }

            var values = figure(figures);
            for (var i = 0; i < values.Length; i++)
            {
                yield return new Measurement<double>(values[i], [drift.Tags[0], drift.Tags[1], new("feature", figures.Labels[i])]);
            }
        }
    }

    private IEnumerable<Measurement<double>> Predictions()
    {
        foreach (var drift in Current())
        {
            if (drift.Figures is not { } figures)
            {
                continue;
            }

            for (var i = 0; i < figures.PredictionPsi.Length; i++)
            {
                yield return new Measurement<double>(figures.PredictionPsi[i], [drift.Tags[0], drift.Tags[1], new("output", figures.OutputNames[i])]);
            }
        }
    }

    private IEnumerable<Measurement<long>> PerVersion(Func<VersionDrift, long> value)
    {
        foreach (var drift in Current())
        {
            yield return new Measurement<long>(value(drift), drift.Tags);
        }
    }

    private IEnumerable<VersionDrift> Current()
    {
        // A scrape also forgets unloaded versions, so their windows are freed even when no sample comes after.
        Prune();
        foreach (var (version, drift) in _versions)
        {
            if (drift is not null && IsCurrent(version))
            {
                yield return drift;
            }
        }
    }
}
