namespace InferenceGrpc.Server.Security;

/// <summary>
/// A value loaded from files and loaded again when one of them changes (cert-manager or a Kubernetes Secret
/// swapping the files). The check is cheap: the resolved target, last-write time and length of each file, read
/// on each use; the value is parsed only when they changed. A reload that fails keeps the last good value, so a
/// half-written rotation never takes the endpoint down.
/// </summary>
internal sealed class ReloadingFile<T>
    where T : class
{
    private readonly string[] _paths;
    private readonly Func<T> _load;
    private readonly Action<Exception>? _onReloadFailed;
    private readonly Lock _lock = new();
    private Snapshot? _current;

    public ReloadingFile(string[] paths, Func<T> load, Action<Exception>? onReloadFailed = null)
    {
        _paths = paths;
        _load = load;
        _onReloadFailed = onReloadFailed;
    }

    public T Current
    {
        get
        {
            var stamps = Stamp();
            var current = Volatile.Read(ref _current);
            if (current is not null && stamps.AsSpan().SequenceEqual(current.Stamps))
            {
                return current.Value;
            }

            lock (_lock)
            {
                current = _current;
                if (current is not null && stamps.AsSpan().SequenceEqual(current.Stamps))
                {
                    return current.Value;
                }

                try
                {
                    var value = _load();
                    Volatile.Write(ref _current, new Snapshot(stamps, value));
                    return value;
                }
                catch (Exception ex) when (current is not null && ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException or FormatException)
                {
                    // Keep serving with the last good value; try again once the files change again.
                    Volatile.Write(ref _current, new Snapshot(stamps, current.Value));
                    _onReloadFailed?.Invoke(ex);
                    return current.Value;
                }
            }
        }
    }

    private FileStamp[] Stamp()
    {
        var stamps = new FileStamp[_paths.Length];
        for (var i = 0; i < _paths.Length; i++)
        {
            stamps[i] = FileStamp.Of(_paths[i]);
        }

        return stamps;
    }

    private sealed record Snapshot(FileStamp[] Stamps, T Value);

    private readonly record struct FileStamp(string? Target, DateTime LastWriteUtc, long Length)
    {
        public static FileStamp Of(string path)
        {
            try
            {
                // Kubernetes mounts a Secret's keys as symbolic links into a folder swapped on update.
                var target = File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName;
                var info = new FileInfo(target ?? path);
                return info.Exists ? new FileStamp(target, info.LastWriteTimeUtc, info.Length) : new FileStamp(target, default, -1);
            }
            catch (IOException)
            {
                return new FileStamp(null, default, -1);
            }
            catch (UnauthorizedAccessException)
            {
                return new FileStamp(null, default, -1);
            }
        }
    }
}
