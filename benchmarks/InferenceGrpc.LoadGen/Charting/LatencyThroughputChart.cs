using ScottPlot;

namespace InferenceGrpc.LoadGen.Charting;

/// <summary>
/// Draws <see cref="ChartData"/> with ScottPlot: rows/s across, latency up. Latency is on a log scale unless asked
/// otherwise; throughput goes on a log scale too when the series differ by more than 10× (the echo server against a
/// heavy model), so the slow series' knees stay visible.
/// </summary>
internal static class LatencyThroughputChart
{
    public static void SavePng(ChartData data, string path, bool logLatency, bool? logThroughput = null, int width = 1400, int height = 900)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var logX = logThroughput ?? WideThroughputRange(data);
        double Y(double ms) => logLatency ? Math.Log10(Math.Max(ms, 1e-3)) : ms;
        double X(double rowsPerSecond) => logX ? Math.Log10(Math.Max(rowsPerSecond, 1e-3)) : rowsPerSecond;

        foreach (var series in data.Series)
        {
            var color = palette.GetColor(series.Group);
            var scatter = plot.Add.Scatter(series.Throughput.Select(X).ToArray(), series.LatencyMs.Select(Y).ToArray(), color);
            scatter.LegendText = series.Label;
            scatter.LineWidth = series.Style == SeriesStyle.Tail ? 1.5f : 2.5f;
            scatter.MarkerSize = series.Style == SeriesStyle.Tail ? 6 : 8;
            scatter.MarkerShape = series.Style switch
            {
                SeriesStyle.Tail => MarkerShape.OpenCircle,
                SeriesStyle.InProcess => MarkerShape.FilledSquare,
                _ => MarkerShape.FilledCircle,
            };
            scatter.LinePattern = series.Style switch
            {
                SeriesStyle.Tail => LinePattern.Dashed,
                SeriesStyle.InProcess => LinePattern.Dotted,
                _ => LinePattern.Solid,
            };

            if (series.Style != SeriesStyle.Tail)
            {
                for (var i = 0; i < series.Tags.Length; i++)
                {
                    var tag = plot.Add.Text(series.Tags[i], X(series.Throughput[i]), Y(series.LatencyMs[i]));
                    tag.LabelFontSize = 11;
                    tag.LabelFontColor = color;
                    tag.LabelAlignment = Alignment.LowerLeft;
                    tag.OffsetX = 4;
                    tag.OffsetY = -4;
                }
            }
        }

        foreach (var ceiling in data.Ceilings)
        {
            var line = plot.Add.VerticalLine(X(ceiling.Throughput), 2, Colors.Black, LinePattern.DenselyDashed);
            line.LegendText = ceiling.Label;
        }

        if (logLatency)
        {
            plot.Axes.Left.TickGenerator = LogTicks();
        }

        if (logX)
        {
            plot.Axes.Bottom.TickGenerator = LogTicks();
        }

        plot.Title(data.Title);
        plot.XLabel(logX ? "throughput (rows/s, log scale)" : "throughput (rows/s)");
        plot.YLabel(logLatency ? "latency (ms, log scale)" : "latency (ms)");
        plot.ShowLegend(Edge.Right);
        plot.Axes.AutoScale();
        if (!logX)
        {
            plot.Axes.SetLimitsX(0, plot.Axes.GetLimits().Right * 1.05);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        plot.SavePng(path, width, height);
    }

    /// <summary>True when the fastest series peaks more than 10× above the slowest.</summary>
    public static bool WideThroughputRange(ChartData data)
    {
        var peaks = data.Series.Select(s => s.Throughput.Max()).Concat(data.Ceilings.Select(c => c.Throughput)).Where(p => p > 0).ToArray();
        return peaks.Length > 1 && peaks.Max() > 10 * peaks.Min();
    }

    // Decades labelled with their value (0.1, 1, 10, 100), log-spaced minor ticks between them.
    private static ScottPlot.TickGenerators.NumericAutomatic LogTicks() => new()
    {
        MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = v => Math.Pow(10, v) is var value && value >= 1
            ? value.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture)
            : value.ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
    };
}
