using System.Diagnostics;
using System.Globalization;

namespace InferenceGrpc.Cli.Batch;

/// <summary>Progress on stderr at most once per interval: rows done of the total, rows/s of this run, and the ETA.</summary>
internal sealed class ProgressReporter(TextWriter error, long? totalRows, long startRow, TimeSpan interval, bool quiet)
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _last = Stopwatch.GetTimestamp();

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    public void Report(long rowsDone)
    {
        if (quiet || Stopwatch.GetElapsedTime(_last) < interval)
        {
            return;
        }

        _last = Stopwatch.GetTimestamp();
        error.WriteLine(Format(rowsDone, totalRows, rowsDone - startRow, Elapsed));
    }

    /// <summary><c>4,200/10,000 rows (42.0%), 1,234 rows/s, ETA 0:00:05</c>.</summary>
    internal static string Format(long rowsDone, long? totalRows, long rowsThisRun, TimeSpan elapsed)
    {
        var c = CultureInfo.InvariantCulture;
        var rate = elapsed > TimeSpan.Zero ? rowsThisRun / elapsed.TotalSeconds : 0;
        var text = totalRows is { } total && total > 0
            ? string.Format(c, "{0:N0}/{1:N0} rows ({2:0.0}%)", rowsDone, total, 100.0 * rowsDone / total)
            : string.Format(c, "{0:N0} rows", rowsDone);
        text += string.Format(c, ", {0:N0} rows/s", rate);
        if (totalRows is { } all && rate > 0)
        {
            text += ", ETA " + TimeSpan.FromSeconds(Math.Ceiling(Math.Max(0, all - rowsDone) / rate)).ToString(@"h\:mm\:ss", c);
        }

        return text;
    }
}
