using System.Buffers;
using System.Globalization;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Monitoring.Drift;

/// <summary>
/// Drift monitoring of one model version: what to sample (the request path's part, lock-free), the sliding windows
/// and the latest figures (the consumer's part, single-threaded), and the counters both share.
/// </summary>
internal sealed class VersionDrift
{
    /// <summary>The series carrying the maxima of the features past <see cref="DriftSettings.MaxFeatures"/>.</summary>
    public const string RestLabel = "_rest";

    /// <summary>A drifting feature recovers once every figure is below this fraction of its threshold: no flapping.</summary>
    private const double Hysteresis = 0.8;

    private readonly MonitoredInput[] _inputs;
    private readonly MonitoredOutput[] _outputs;
    private readonly bool _batches;
    private readonly int _evaluateEvery;
    private long _seen;
    private long _sampledRows;
    private long _droppedRows;
    private int _rowsSinceEvaluation;
    private DriftFigures? _figures;

    private VersionDrift(ModelVersion version, DriftSettings settings, MonitoredInput[] inputs, FeatureSlot[] features, MonitoredOutput[] outputs)
    {
        Version = version;
        Settings = settings;
        _inputs = inputs;
        Features = features;
        _outputs = outputs;
        _batches = version.Signature!.Batches;
        Tags = [new("model", version.ModelName), new("version", version.Version.ToString(CultureInfo.InvariantCulture))];
        // Figures cost O(features x bins); a tenth of a window between evaluations keeps that off every sample.
        _evaluateEvery = Math.Max(1, Math.Min(settings.MinSamples, settings.Window / 10));
    }

    public ModelVersion Version { get; }

    public DriftSettings Settings { get; }

    public FeatureSlot[] Features { get; }

    public IReadOnlyList<MonitoredOutput> Outputs => _outputs;

    /// <summary>model and version labels, shared by every series of this version.</summary>
    public KeyValuePair<string, object?>[] Tags { get; }

    public long SampledRows => Volatile.Read(ref _sampledRows);

    public long DroppedRows => Volatile.Read(ref _droppedRows);

    /// <summary>The latest figures; null until a window holds <see cref="DriftSettings.MinSamples"/> rows.</summary>
    public DriftFigures? Figures => Volatile.Read(ref _figures);

    /// <summary>
    /// Checks the baseline against the version's signature and builds the windows.
    /// </summary>
    /// <exception cref="DriftBaselineException">The baseline names an input or output the version lacks, a non-numeric or
    /// variable-size one, or a feature past the row's size.</exception>
    public static VersionDrift Create(ModelVersion version, DriftBaseline baseline, DriftSettings settings)
    {
        var signature = version.Signature ?? throw new DriftBaselineException("the version is not ready");
        var inputs = new List<MonitoredInput>();
        var features = new List<FeatureSlot>();
        foreach (var input in baseline.Inputs)
        {
            if (!signature.TryGetInput(input.Name, out var spec))
            {
                throw new DriftBaselineException($"inputs: '{input.Name}' is not an input of the model (expected one of {string.Join(", ", signature.Inputs.Select(i => i.Name))})");
            }

            var rowElements = FixedRowElements(spec, "input");
            var elements = new int[input.Features.Count];
            for (var i = 0; i < elements.Length; i++)
            {
                var feature = input.Features[i];
                if (feature.Index >= rowElements)
                {
                    throw new DriftBaselineException($"input '{input.Name}' feature {feature.Index}: expected an index below the row's {rowElements} elements");
                }

                elements[i] = feature.Index;
                var label = string.Create(CultureInfo.InvariantCulture, $"{input.Name}[{feature.Index}]");
                features.Add(new FeatureSlot(label, feature,
                    new SlidingWindow(settings.Window, feature.BinEdges, feature.Quantiles, feature.Min, feature.Max)));
            }

            inputs.Add(new MonitoredInput(input.Name, spec.DataType, rowElements, elements));
        }

        var outputs = new List<MonitoredOutput>();
        foreach (var output in baseline.Outputs)
        {
            if (!signature.TryGetOutput(output.Name, out var spec))
            {
                throw new DriftBaselineException($"outputs: '{output.Name}' is not an output of the model (expected one of {string.Join(", ", signature.Outputs.Select(o => o.Name))})");
            }

            if (!NumericElements.IsNumeric(spec.DataType))
            {
                throw new DriftBaselineException($"output '{output.Name}': expected a numeric datatype, got {spec.DataType.ToWireName()}");
            }

            outputs.Add(new MonitoredOutput(output.Name, spec.DataType, output,
                new SlidingWindow(settings.Window, output.BinEdges, [], double.NegativeInfinity, double.PositiveInfinity)));
        }

        return new VersionDrift(version, settings, inputs.ToArray(), features.ToArray(), outputs.ToArray());
    }

    /// <summary>The sampling decision: every 1/rate-th request, by a lock-free counter (deterministic, no RNG).</summary>
    public bool ShouldSample()
    {
        var rate = Settings.SampleRate;
        if (rate >= 1)
        {
            return true;
        }

        var n = Interlocked.Increment(ref _seen);
        return Math.Floor(n * rate) != Math.Floor((n - 1) * rate);
    }

    /// <summary>
    /// Copies the monitored elements of a request's rows and each output's per-row prediction: the only allocation
    /// of a sampled request. Request path; the tensors are valid only during this call.
    /// </summary>
    public DriftSample Copy(InferenceRequest request, InferenceResult result)
    {
        var rows = _batches && request.Inputs.Count > 0 && request.Inputs[0].Shape.Length > 0 ? (int)request.Inputs[0].Shape[0] : 1;
        // Rented, and returned by the consumer once folded in (or at once when the queue drops the sample): a
        // sampled request costs a copy, not garbage.
        var values = ArrayPool<double>.Shared.Rent(Math.Max(1, rows * Features.Length));
        var offset = 0;
        foreach (var input in _inputs)
        {
            var tensor = TensorLookup.Find(request.Inputs, input.Name);
            for (var r = 0; r < rows; r++)
            {
                var destination = values.AsSpan((r * Features.Length) + offset, input.Elements.Length);
                if (tensor is null)
                {
                    destination.Fill(double.NaN);
                }
                else
                {
                    NumericElements.Gather(input.DataType, tensor.Data.Span, r * input.RowElements, input.Elements, destination);
                }
            }

            offset += input.Elements.Length;
        }

        var predictions = ArrayPool<double>.Shared.Rent(Math.Max(1, rows * _outputs.Length));
        for (var o = 0; o < _outputs.Length; o++)
        {
            var output = _outputs[o];
            var tensor = TensorLookup.Find(result.Outputs, output.Name);
            var size = output.DataType.ElementSize();
            var perRow = tensor is null || rows == 0 ? 0 : tensor.Data.Length / size / rows;
            var data = tensor is null ? default : tensor.Data.Span;
            for (var r = 0; r < rows; r++)
            {
                predictions[(r * _outputs.Length) + o] = perRow == 0 ? double.NaN : Summarise(output, data, r * perRow, perRow);
            }
        }

        return new DriftSample(this, rows, values, predictions);
    }

    /// <summary>A sample the queue accepted (true) or dropped because it was full (false).</summary>
    public void Count(int rows, bool accepted)
    {
        if (accepted)
        {
            Interlocked.Add(ref _sampledRows, rows);
        }
        else
        {
            Interlocked.Add(ref _droppedRows, rows);
        }
    }

    /// <summary>Consumer only. Adds a sample's rows to the windows; true when the figures are due.</summary>
    public bool Add(DriftSample sample)
    {
        for (var r = 0; r < sample.Rows; r++)
        {
            for (var f = 0; f < Features.Length; f++)
            {
                Features[f].Window.Add(sample.Values[(r * Features.Length) + f]);
            }

            for (var o = 0; o < _outputs.Length; o++)
            {
                _outputs[o].Window.Add(sample.Predictions[(r * _outputs.Length) + o]);
            }
        }

        _rowsSinceEvaluation += sample.Rows;
        return _rowsSinceEvaluation >= _evaluateEvery;
    }

    /// <summary>Gives a sample's arrays back to the pool; the sample must not be used after.</summary>
    public static void Release(DriftSample sample)
    {
        ArrayPool<double>.Shared.Return(sample.Values);
        ArrayPool<double>.Shared.Return(sample.Predictions);
    }

    /// <summary>
    /// Consumer only. Recomputes the figures and reports threshold crossings once each way (a feature that crossed
    /// is reported again only after it recovered).
    /// </summary>
    public void Evaluate(DriftAlerts alerts)
    {
        _rowsSinceEvaluation = 0;
        var rows = Features.Length > 0 ? Features[0].Window.Count : _outputs.Length > 0 ? _outputs[0].Window.Count : 0;
        if (rows < Settings.MinSamples)
        {
            return;
        }

        var exported = Math.Min(Features.Length, Settings.MaxFeatures);
        var hasRest = Features.Length > exported;
        var count = exported + (hasRest ? 1 : 0);
        var figures = new DriftFigures(rows, count, _outputs.Length);
        var (restDrifted, restRecovered) = (0, 0);
        for (var f = 0; f < Features.Length; f++)
        {
            var slot = Features[f];
            var window = slot.Window;
            var psi = window.Psi(slot.Baseline.BinProportions);
            var ks = window.Ks(slot.Baseline.Cdf);
            var nan = window.MissingRatio;
            var oor = window.OutOfRangeRatio;
            var at = Math.Min(f, exported);
            figures.Set(at, f < exported ? slot.Label : RestLabel, psi, ks, nan, oor);
            var change = Judge(slot, psi, ks, nan, oor);
            if (f < exported)
            {
                Report(slot, change, psi, ks, nan, oor, rows, alerts);
            }
            else
            {
                // Past the cap, one line for all that crossed: a wide input (an image) must not log a line per pixel.
                restDrifted += change > 0 ? 1 : 0;
                restRecovered += change < 0 ? 1 : 0;
            }
        }

        if (restDrifted > 0)
        {
            alerts.OtherFeaturesDrifted(this, restDrifted, rows);
        }

        if (restRecovered > 0)
        {
            alerts.OtherFeaturesRecovered(this, restRecovered, rows);
        }

        for (var o = 0; o < _outputs.Length; o++)
        {
            var output = _outputs[o];
            var psi = output.Window.Psi(output.Baseline.BinProportions);
            figures.PredictionPsi[o] = psi;
            figures.OutputNames[o] = output.Name;
            if (!output.Drifting && psi > Settings.PsiThreshold)
            {
                output.Drifting = true;
                alerts.PredictionDrifted(this, output.Name, psi, rows);
            }
            else if (output.Drifting && psi <= Settings.PsiThreshold * Hysteresis)
            {
                output.Drifting = false;
                alerts.PredictionRecovered(this, output.Name, psi, rows);
            }
        }

        Volatile.Write(ref _figures, figures);
    }

    /// <summary>+1 when the feature starts drifting, -1 when it recovers, 0 when its state holds.</summary>
    private int Judge(FeatureSlot slot, double psi, double ks, double nan, double oor)
    {
        var s = Settings;
        if (!slot.Drifting && (psi > s.PsiThreshold || ks > s.KsThreshold || nan > s.NanThreshold || oor > s.OutOfRangeThreshold))
        {
            slot.Drifting = true;
            return 1;
        }

        if (slot.Drifting && psi <= s.PsiThreshold * Hysteresis && ks <= s.KsThreshold * Hysteresis &&
            nan <= s.NanThreshold * Hysteresis && oor <= s.OutOfRangeThreshold * Hysteresis)
        {
            slot.Drifting = false;
            return -1;
        }

        return 0;
    }

    private void Report(FeatureSlot slot, int change, double psi, double ks, double nan, double oor, int rows, DriftAlerts alerts)
    {
        if (change > 0)
        {
            alerts.FeatureDrifted(this, slot.Label, psi, ks, nan, oor, rows);
        }
        else if (change < 0)
        {
            alerts.FeatureRecovered(this, slot.Label, psi, ks, nan, oor, rows);
        }
    }

    private static double Summarise(MonitoredOutput output, ReadOnlySpan<byte> data, int start, int count)
    {
        var best = 0;
        var bestValue = NumericElements.Read(output.DataType, data, start);
        for (var i = 1; i < count; i++)
        {
            var value = NumericElements.Read(output.DataType, data, start + i);
            if (value > bestValue || double.IsNaN(bestValue))
            {
                best = i;
                bestValue = value;
            }
        }

        return output.Baseline.Kind == PredictionKind.Classes ? best : bestValue;
    }

    private static int FixedRowElements(TensorSpec spec, string what)
    {
        if (!NumericElements.IsNumeric(spec.DataType))
        {
            throw new DriftBaselineException($"{what} '{spec.Name}': expected a numeric datatype, got {spec.DataType.ToWireName()}");
        }

        if (!TensorShape.TryGetVolume(spec.Dims.ToArray(), out var volume) || volume > int.MaxValue)
        {
            throw new DriftBaselineException($"{what} '{spec.Name}': expected fixed per-row dims, got {TensorShape.Format(spec.Dims.ToArray())}");
        }

        return (int)volume;
    }
}
