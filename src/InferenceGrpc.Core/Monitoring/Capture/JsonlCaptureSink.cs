namespace InferenceGrpc.Core.Monitoring.Capture;

/// <summary>Rotating JSONL files under one root directory, one sub-directory per model.</summary>
internal sealed class JsonlCaptureSink(string root, TimeProvider time) : ICaptureSink
{
    private readonly Dictionary<string, RotatingJsonlFiles> _models = new(StringComparer.Ordinal);

    public string Root { get; } = root;

    public ValueTask<CaptureAppend> AppendAsync(CaptureSettings settings, ReadOnlyMemory<byte> line, CancellationToken cancellationToken)
    {
        if (!_models.TryGetValue(settings.Model, out var files))
        {
            files = new RotatingJsonlFiles(Path.Combine(Root, settings.Model), time);
            _models[settings.Model] = files;
        }

        return ValueTask.FromResult(files.Append(line.Span, settings.MaxFileBytes, settings.MaxTotalBytes));
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var files in _models.Values)
        {
            files.Flush();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        foreach (var files in _models.Values)
        {
            files.Dispose();
        }

        _models.Clear();
        return ValueTask.CompletedTask;
    }
}
