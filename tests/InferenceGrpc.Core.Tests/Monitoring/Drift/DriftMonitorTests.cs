using System.Diagnostics.Metrics;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Monitoring.Drift;

namespace InferenceGrpc.Core.Tests.Monitoring.Drift;

public sealed class DriftMonitorTests
{
    private static Func<DriftFigures, double[]> Psi => f => f.Psi;

    private static Func<DriftFigures, double[]> Ks => f => f.Ks;

    [Fact]
    public void Flush_StableStream_StaysBelowEveryThreshold()
    {
        using var kit = new DriftKit();

        kit.Feed(500);
        kit.Monitor.Flush();

        var f = kit.Figures;
        Assert.Equal(500, f.WindowRows);
        Assert.Equal(["x[0]", "x[1]"], f.Labels);
        Assert.All(f.Psi, psi => Assert.InRange(psi, 0, 0.1));
        Assert.All(f.Ks, ks => Assert.InRange(ks, 0, 0.08));
        Assert.All(f.NanRatio, r => Assert.Equal(0, r));
        Assert.InRange(Assert.Single(f.PredictionPsi), 0, 0.1);
        Assert.Equal(0, kit.Count("FeatureDrifted"));
        Assert.Equal(0, kit.Count("PredictionDrifted"));
    }

    [Fact]
    public void Flush_ShiftedFeature_CrossesOnlyForThatFeatureAndWarnsOnce()
    {
        using var kit = new DriftKit();
        kit.Feed(500);
        kit.Monitor.Flush();

        kit.Feed(500, shift: 1.5);
        kit.Monitor.Flush();

        Assert.InRange(kit.Figure(Psi, "x[0]"), 0.5, 10);
        Assert.InRange(kit.Figure(Ks, "x[0]"), 0.4, 1);
        Assert.InRange(kit.Figure(Psi, "x[1]"), 0, 0.1);
        Assert.InRange(kit.Figure(Ks, "x[1]"), 0, 0.08);
        Assert.InRange(kit.Figures.PredictionPsi[0], 0.5, 10);
        // Evaluated every 50 rows while the window filled with shifted rows: still one warning each.
        Assert.Equal(1, kit.Count("FeatureDrifted"));
        Assert.Equal(1, kit.Count("PredictionDrifted"));
        Assert.Equal(0, kit.Count("FeatureRecovered"));
    }

    [Fact]
    public void Flush_ShiftThenStableAgain_RecoversOnce()
    {
        using var kit = new DriftKit();
        kit.Feed(500, shift: 1.5);
        kit.Monitor.Flush();

        kit.Feed(500);
        kit.Monitor.Flush();

        Assert.InRange(kit.Figure(Psi, "x[0]"), 0, 0.1);
        Assert.Equal(1, kit.Count("FeatureDrifted"));
        Assert.Equal(1, kit.Count("FeatureRecovered"));
        Assert.Equal(1, kit.Count("PredictionRecovered"));
    }

    [Fact]
    public void Flush_NaNAndOutOfRangeValues_GiveExactRatios()
    {
        using var kit = new DriftKit();

        // Every 5th row has x[1] missing; every 10th has x[0] far past the training maximum.
        kit.Feed(500, row: i => (i % 10 == 0 ? 100 : 0.1, i % 5 == 0 ? double.NaN : 5));
        kit.Monitor.Flush();

        Assert.Equal(0.2, kit.Figure(f => f.NanRatio, "x[1]"), 12);
        Assert.Equal(0, kit.Figure(f => f.NanRatio, "x[0]"), 12);
        Assert.Equal(0.1, kit.Figure(f => f.OutOfRangeRatio, "x[0]"), 12);
        Assert.Equal(0, kit.Figure(f => f.OutOfRangeRatio, "x[1]"), 12);
        Assert.Equal(2, kit.Count("FeatureDrifted"));
    }

    [Fact]
    public void Flush_FewerRowsThanMinSamples_PublishesNoFigures()
    {
        using var kit = new DriftKit();

        kit.Feed(95, shift: 3);
        kit.Monitor.Flush();

        Assert.Null(kit.View.Figures);
        Assert.Equal(0, kit.Count("FeatureDrifted"));
    }

    [Fact]
    public void OnCompleted_SampleRate_SamplesThatFractionOfRequests()
    {
        using var kit = new DriftKit(new Dictionary<string, string> { ["drift.sample_rate"] = "0.25" });

        kit.Feed(400, perRequest: 1);

        Assert.Equal(100, kit.View.SampledRows);
    }

    [Fact]
    public void OnCompleted_QueueFull_DropsAndCountsTheRows()
    {
        using var kit = new DriftKit(queueCapacity: 2);

        kit.Feed(20, perRequest: 5);   // four samples, nobody consuming: two fit

        Assert.Equal(10, kit.View.SampledRows);
        Assert.Equal(10, kit.View.DroppedRows);
    }

    [Fact]
    public async Task InferAsync_QueueFull_RequestStillSucceedsAndTheDropIsCounted()
    {
        using var kit = new DriftKit(queueCapacity: 1);
        var executor = new InferenceExecutor(kit.Registry, observers: [kit.Monitor]);

        using (var first = await executor.InferAsync(kit.Request([0.5f, 5, 0.5f, 5], 2), CancellationToken.None))
        using (var second = await executor.InferAsync(kit.Request([0.5f, 5], 1), CancellationToken.None))
        {
            Assert.Equal([2, 3], first.Outputs[0].Shape);
            Assert.Equal([1, 3], second.Outputs[0].Shape);
        }

        Assert.Equal(2, kit.View.SampledRows);
        Assert.Equal(1, kit.View.DroppedRows);
    }

    [Fact]
    public void OnCompleted_NoBaseline_MonitoringOffAndLogged()
    {
        using var kit = new DriftKit(baselineJson: null);

        kit.Feed(10);

        Assert.Empty(kit.Monitor.Monitored);
        Assert.Equal(1, kit.Count("DriftBaselineMissing"));
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("{\"format\": \"inferencegrpc.drift.baseline/1\", \"rows\": 1, \"inputs\": [{\"name\": \"y\", \"features\": [{\"index\": 0, \"mean\": 0, \"std\": 1, \"min\": 0, \"max\": 1, \"missing_rate\": 0, \"bin_edges\": [], \"bin_proportions\": [1], \"quantiles\": [0], \"cdf\": [1]}]}]}")]
    [InlineData("{\"format\": \"inferencegrpc.drift.baseline/1\", \"rows\": 1, \"inputs\": [{\"name\": \"x\", \"features\": [{\"index\": 2, \"mean\": 0, \"std\": 1, \"min\": 0, \"max\": 1, \"missing_rate\": 0, \"bin_edges\": [], \"bin_proportions\": [1], \"quantiles\": [0], \"cdf\": [1]}]}]}")]
    public void OnCompleted_BadBaseline_WarnsOnceAndMonitoringStaysOff(string json)
    {
        using var kit = new DriftKit(baselineJson: json);

        kit.Feed(20);

        Assert.Empty(kit.Monitor.Monitored);
        Assert.Equal(1, kit.Count("DriftBaselineInvalid"));
    }

    [Fact]
    public void OnCompleted_BadDriftParameter_WarnsAndMonitoringStaysOff()
    {
        using var kit = new DriftKit(new Dictionary<string, string> { ["drift.sample_rate"] = "lots" });

        kit.Feed(5);

        Assert.Empty(kit.Monitor.Monitored);
        Assert.Equal(1, kit.Count("DriftBaselineInvalid"));
    }

    [Fact]
    public void Flush_MoreFeaturesThanTheCap_SummarisesTheRestAsTheirMaximaAndOneWarning()
    {
        using var kit = new DriftKit(new Dictionary<string, string> { ["drift.sample_rate"] = "1", ["drift.window"] = "500", ["drift.max_features"] = "1" });

        kit.Feed(500, row: i => (0.1, 20));   // x[1] past the training max on every row
        kit.Monitor.Flush();

        Assert.Equal(["x[0]", "_rest"], kit.Figures.Labels);
        Assert.Equal(1, kit.Figure(f => f.OutOfRangeRatio, "_rest"));
        Assert.Equal(0, kit.Figure(f => f.OutOfRangeRatio, "x[0]"));
        // x[0], constant, drifted too and is named; features past the cap are reported together, in one line.
        Assert.Equal(1, kit.Count("FeatureDrifted"));
        Assert.Equal(1, kit.Count("OtherFeaturesDrifted"));
    }

    [Fact]
    public void SetUpLoaded_ReadyVersion_IsMonitoredBeforeItsFirstRequestAndSetUpOnce()
    {
        using var kit = new DriftKit();

        kit.Monitor.SetUpLoaded();

        Assert.Equal(kit.Model, Assert.Single(kit.Monitor.Monitored).Model);
        kit.Feed(10);
        kit.Monitor.SetUpLoaded();
        Assert.Equal(1, kit.Count("DriftMonitoringOn"));
        Assert.Equal(10, kit.View.SampledRows);
    }

    [Fact]
    public async Task RunAsync_Started_SetsUpLoadedVersionsAndFoldsSamplesInTheBackground()
    {
        using var kit = new DriftKit(new Dictionary<string, string> { ["drift.sample_rate"] = "1", ["drift.window"] = "100", ["drift.min_samples"] = "10" });
        using var stop = new CancellationTokenSource();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var loop = kit.Monitor.RunAsync(stop.Token, TimeSpan.FromSeconds(1), time);

        kit.Feed(10);
        // The consumer runs on its own; Flush takes the same lock, so after it every queued sample has been folded.
        kit.Monitor.Flush();
        stop.Cancel();
        await loop;

        Assert.Equal(10, Assert.IsType<DriftFigures>(kit.View.Figures).WindowRows);
        Assert.Equal(1, kit.Count("DriftMonitoringOn"));
    }

    [Fact]
    public void Monitored_VersionUnloaded_IsForgottenWithItsWindows()
    {
        using var kit = new DriftKit();
        kit.Feed(200);
        kit.Monitor.Flush();
        Assert.Equal(1, kit.Monitor.TrackedVersions);

        kit.Registry.RemoveModel(kit.Model);
        kit.Feed(10);   // in-flight requests of the retiring version: not set up again
        kit.Monitor.Flush();

        Assert.Empty(kit.Monitor.Monitored);
        Assert.Equal(0, kit.Monitor.TrackedVersions);
    }

    [Fact]
    public void Gauges_ExportFiguresByModelVersionAndFeature_AndStopAfterUnload()
    {
        using var meters = new TestMeterFactory();
        using var kit = new DriftKit(meters: meters);
        kit.Feed(500, shift: 1.5);
        kit.Monitor.Flush();

        var series = Collect(meters);

        Assert.Equal(kit.Figure(Psi, "x[0]"), series[("inference.drift.psi", "x[0]")]);
        Assert.Equal(kit.Figure(Ks, "x[1]"), series[("inference.drift.ks", "x[1]")]);
        Assert.Equal(0, series[("inference.drift.nan_ratio", "x[0]")]);
        Assert.True(series.ContainsKey(("inference.drift.out_of_range_ratio", "x[1]")));
        Assert.Equal(kit.Figures.PredictionPsi[0], series[("inference.drift.prediction_psi", "probs")]);
        Assert.Equal(500, series[("inference.drift.samples", "")]);
        Assert.Equal(0, series[("inference.drift.dropped", "")]);
        Assert.Equal(500, series[("inference.drift.window", "")]);

        kit.Registry.RemoveModel(kit.Model);

        Assert.Empty(Collect(meters));
    }

    /// <summary>One collection of the monitor's instruments: (instrument, feature or output label) → value, for this model only.</summary>
    private static Dictionary<(string, string), double> Collect(TestMeterFactory meters)
    {
        var series = new Dictionary<(string, string), double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => series[(i.Name, Label(tags))] = v);
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => series[(i.Name, Label(tags))] = v);
        listener.Start();
        listener.RecordObservableInstruments();
        return series;
    }

    private static string Label(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key is "feature" or "output")
            {
                return (string)tag.Value!;
            }
        }

        return "";
    }
}
