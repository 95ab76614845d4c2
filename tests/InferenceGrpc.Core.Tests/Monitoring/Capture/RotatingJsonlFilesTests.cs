using System.Text;
using InferenceGrpc.Core.Monitoring.Capture;
using Microsoft.Extensions.Time.Testing;

namespace InferenceGrpc.Core.Tests.Monitoring.Capture;

public sealed class RotatingJsonlFilesTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "igrpc-capture-files-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>A 10-byte line: {"n":NNN}\n.</summary>
    private static byte[] Line(int n) => Encoding.UTF8.GetBytes($"{{\"n\":{n:D3}}}\n");

    private string[] Files() => Directory.GetFiles(_directory, "*.jsonl").Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Append_PastTheFileSize_StartsANewFile()
    {
        using (var files = new RotatingJsonlFiles(_directory, _time))
        {
            for (var n = 1; n <= 5; n++)
            {
                Assert.Equal(new CaptureAppend(true, 0), files.Append(Line(n), maxFileBytes: 25, maxTotalBytes: 1000));
            }
        }

        var contents = Files().Select(File.ReadAllText).ToArray();
        Assert.Equal(["{\"n\":001}\n{\"n\":002}\n", "{\"n\":003}\n{\"n\":004}\n", "{\"n\":005}\n"], contents);
    }

    [Fact]
    public void Append_PastTheTotalCap_DeletesTheOldestFilesAndCountsTheirRecords()
    {
        long evicted = 0;
        using (var files = new RotatingJsonlFiles(_directory, _time))
        {
            for (var n = 1; n <= 6; n++)
            {
                evicted += files.Append(Line(n), maxFileBytes: 20, maxTotalBytes: 40).Evicted;
            }

            Assert.Equal(40, files.TotalBytes);
        }

        Assert.Equal(2, evicted);
        Assert.Equal("{\"n\":003}\n{\"n\":004}\n{\"n\":005}\n{\"n\":006}\n", string.Concat(Files().Select(File.ReadAllText)));
    }

    [Fact]
    public void Append_LineLargerThanAFile_IsNotWritten()
    {
        using var files = new RotatingJsonlFiles(_directory, _time);

        var appended = files.Append(Line(1), maxFileBytes: 9, maxTotalBytes: 100);

        Assert.False(appended.Written);
        Assert.Equal(0, files.TotalBytes);
    }

    [Fact]
    public void Open_LastFileCutShortByACrash_DropsTheIncompleteLineAndAppendsToANewFile()
    {
        Directory.CreateDirectory(_directory);
        var crashed = Path.Combine(_directory, "capture-20261127T090000.000Z-000001.jsonl");
        File.WriteAllText(crashed, "{\"n\":001}\n{\"n\":0");

        using (var files = new RotatingJsonlFiles(_directory, _time))
        {
            files.Append(Line(2), maxFileBytes: 100, maxTotalBytes: 1000);
        }

        Assert.Equal("{\"n\":001}\n", File.ReadAllText(crashed));
        Assert.Equal(["{\"n\":001}\n", "{\"n\":002}\n"], Files().Select(File.ReadAllText));
    }

    [Fact]
    public void Append_PastTheTotalCap_CountsTheRecordsOfAnEarlierRunsFileItDeletes()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, "capture-20261127T090000.000Z-000001.jsonl"), "{\"n\":001}\n{\"n\":002}\n{\"n\":003}\n");

        CaptureAppend appended;
        using (var files = new RotatingJsonlFiles(_directory, _time))
        {
            appended = files.Append(Line(4), maxFileBytes: 30, maxTotalBytes: 30);
        }

        Assert.Equal(new CaptureAppend(true, 3), appended);
        Assert.Equal(["{\"n\":004}\n"], Files().Select(File.ReadAllText));
    }
}
