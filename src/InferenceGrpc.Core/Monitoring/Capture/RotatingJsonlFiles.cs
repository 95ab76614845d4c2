using System.Globalization;

namespace InferenceGrpc.Core.Monitoring.Capture;

/// <summary>
/// One model's capture directory: appends lines to the newest file, starts a new file when the next line would
/// take it past the file size limit, and deletes the oldest files when the directory would pass its total cap.
/// File names sort in creation order (<c>capture-&lt;UTC time&gt;-&lt;sequence&gt;.jsonl</c>).
/// </summary>
/// <remarks>Precondition: the capture writer task only; not thread-safe.</remarks>
internal sealed class RotatingJsonlFiles : IDisposable
{
    public const string Extension = ".jsonl";

    private readonly string _directory;
    private readonly TimeProvider _time;

    // Closed files, oldest first, with their sizes and line counts (-1: a file of an earlier run, counted when
    // deleted); the current file is not among them.
    private readonly Queue<(string Path, long Bytes, long Lines)> _closed = new();
    private FileStream? _current;
    private string? _currentPath;
    private long _currentBytes;
    private long _currentLines;
    private long _closedBytes;
    private int _sequence;

    public RotatingJsonlFiles(string directory, TimeProvider time)
    {
        _directory = directory;
        _time = time;
        Directory.CreateDirectory(directory);
        var existing = Directory.EnumerateFiles(directory, "*" + Extension).Order(StringComparer.Ordinal).ToList();
        if (existing.Count > 0)
        {
            RepairTail(existing[^1]);
        }

        foreach (var path in existing)
        {
            var bytes = new FileInfo(path).Length;
            _closed.Enqueue((path, bytes, -1));
            _closedBytes += bytes;
        }
    }

    /// <summary>Bytes in the directory's capture files, the open one included.</summary>
    public long TotalBytes => _closedBytes + _currentBytes;

    public CaptureAppend Append(ReadOnlySpan<byte> line, long maxFileBytes, long maxTotalBytes)
    {
        if (line.Length > maxFileBytes)
        {
            return new CaptureAppend(false, 0);
        }

        if (_current is null || _currentBytes + line.Length > maxFileBytes)
        {
            Rotate();
        }

        // The current file holds at most maxFileBytes <= maxTotalBytes, so deleting closed files always makes room.
        long evicted = 0;
        while (_closedBytes + _currentBytes + line.Length > maxTotalBytes && _closed.TryDequeue(out var oldest))
        {
            evicted += oldest.Lines >= 0 ? oldest.Lines : CountLines(oldest.Path);
            File.Delete(oldest.Path);
            _closedBytes -= oldest.Bytes;
        }

        // One write per line: a line is never interleaved with another, and a crash can cut only the last one short.
        _current!.Write(line);
        _currentBytes += line.Length;
        _currentLines++;
        return new CaptureAppend(true, evicted);
    }

    public void Flush() => _current?.Flush();

    public void Dispose()
    {
        _current?.Dispose();
        _current = null;
    }

    private void Rotate()
    {
        if (_current is not null)
        {
            _current.Dispose();
            _closed.Enqueue((_currentPath!, _currentBytes, _currentLines));
            _closedBytes += _currentBytes;
        }

        var stamp = _time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'.'fff'Z'", CultureInfo.InvariantCulture);
        while (true)
        {
            var path = Path.Combine(_directory, $"capture-{stamp}-{++_sequence:D6}{Extension}");
            try
            {
                _current = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 64 * 1024);
                _currentPath = path;
                _currentBytes = 0;
                _currentLines = 0;
                return;
            }
            catch (IOException) when (File.Exists(path))
            {
                // A file of an earlier run with the same time and sequence: take the next number.
            }
        }
    }

    /// <summary>Cuts a last line that a crash left incomplete, so every line of every file is whole JSON.</summary>
    private static void RepairTail(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        var length = file.Length;
        var buffer = new byte[4096];
        var end = length;
        while (end > 0)
        {
            var start = Math.Max(0, end - buffer.Length);
            file.Position = start;
            file.ReadExactly(buffer, 0, (int)(end - start));
            var newline = buffer.AsSpan(0, (int)(end - start)).LastIndexOf((byte)'\n');
            if (newline >= 0)
            {
                end = start + newline + 1;
                break;
            }

            end = start;
        }

        if (end != length)
        {
            file.SetLength(end);
        }
    }

    private static long CountLines(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
        var buffer = new byte[64 * 1024];
        long lines = 0;
        int read;
        while ((read = file.Read(buffer)) > 0)
        {
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
        }

        return lines;
    }
}
