using InferenceGrpc.Cli.Batch;
using InferenceGrpc.Cli.Tests.Infrastructure;

namespace InferenceGrpc.Cli.Tests.Batch;

/// <summary>The pieces of <c>batch</c> that need no server: CSV records, row counting, progress text, backoff.</summary>
public sealed class BatchFormatTests
{
    [Fact]
    public void CsvRecordReader_QuotedFields_CommasQuotesAndNewlinesInside()
    {
        var reader = new CsvRecordReader(new StringReader("a,b\n\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",3\r\n"));

        Assert.Equal(["a", "b"], reader.Read()!);
        Assert.Equal(["x, y", "say \"hi\""], reader.Read()!);
        Assert.Equal(["two\nlines", "3"], reader.Read()!);
        Assert.Equal(5, reader.Line);
        Assert.Null(reader.Read());
    }

    [Fact]
    public void CsvRecordReader_UnclosedQuote_Throws()
    {
        var reader = new CsvRecordReader(new StringReader("\"open,1\n2"));

        Assert.Throws<FormatException>(() => reader.Read()!);
    }

    [Theory]
    [InlineData("a\n1\n2\n", true, 3)]
    [InlineData("a\n1\n\n  \n2", true, 3)]
    [InlineData("a\n\"x\ny\"\n2\n", true, 3)]
    [InlineData("{}\n\n{}\r\n{}", false, 3)]
    [InlineData("", false, 0)]
    public void CountRows_CountsRecordsAsTheReadersDo(string text, bool csv, long expected)
    {
        using var file = TempFile.WithText(csv ? ".csv" : ".jsonl", text);

        Assert.Equal(expected, RowFiles.CountRows(file.Path, csv));
    }

    [Fact]
    public void ProgressFormat_WithTotal_ShowsPercentRateAndEta()
    {
        var text = ProgressReporter.Format(rowsDone: 4_000, totalRows: 10_000, rowsThisRun: 3_000, elapsed: TimeSpan.FromSeconds(2));

        Assert.Equal("4,000/10,000 rows (40.0%), 1,500 rows/s, ETA 0:00:04", text);
    }

    [Fact]
    public void ProgressFormat_WithoutTotal_ShowsRowsAndRate()
    {
        Assert.Equal("12 rows, 6 rows/s", ProgressReporter.Format(12, null, 12, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void Backoff_DoublesUpToTheCap()
    {
        var options = new DispatchOptions(1, TimeSpan.FromSeconds(1), 50, TimeSpan.FromMilliseconds(100));

        Assert.Equal(TimeSpan.FromMilliseconds(100), options.Backoff(1));
        Assert.Equal(TimeSpan.FromMilliseconds(400), options.Backoff(3));
        Assert.Equal(DispatchOptions.MaxBackoff, options.Backoff(40));
    }
}
