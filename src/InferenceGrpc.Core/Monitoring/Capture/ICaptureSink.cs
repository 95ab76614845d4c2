namespace InferenceGrpc.Core.Monitoring.Capture;

/// <summary>
/// Where the writer task puts serialised records. Called by that one task only, so an implementation needs no
/// locking. A throw is counted as a failed record; the writer goes on with the next one.
/// </summary>
internal interface ICaptureSink : IAsyncDisposable
{
    /// <summary>Appends one complete line for <paramref name="settings"/>' model, within its size limits.</summary>
    ValueTask<CaptureAppend> AppendAsync(CaptureSettings settings, ReadOnlyMemory<byte> line, CancellationToken cancellationToken);

    /// <summary>Pushes buffered lines to the files; called whenever the queue runs empty, and at shutdown.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken);
}

/// <summary>What one append did: whether the line was written, and how many older records the size cap deleted.</summary>
internal readonly record struct CaptureAppend(bool Written, long Evicted);
