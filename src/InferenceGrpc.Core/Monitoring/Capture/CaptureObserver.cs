using System.Diagnostics.Metrics;
using System.Threading.Channels;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using Microsoft.Extensions.Logging;

namespace InferenceGrpc.Core.Monitoring.Capture;

/// <summary>
/// Prediction capture: samples each model version's successful inferences at its <c>capture.sample_rate</c>,
/// copies only the sampled ones (less the dropped tensors) on the request path, and hands them to one writer task
/// through a bounded channel. A full channel drops the record and counts it; a request never waits for capture.
/// Disposing it (at shutdown) stops taking records, writes what is queued and flushes the files.
/// </summary>
public sealed class CaptureObserver : IInferenceObserver, IAsyncDisposable
{
    private readonly CaptureOptions _options;
    private readonly ICaptureSink? _sink;
    private readonly CaptureMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly VersionSettingsCache<CaptureSettings> _settings;
    private readonly Channel<CaptureRecord> _queue;
    private readonly Task _writer = Task.CompletedTask;
    private int _disposed;

    public CaptureObserver(CaptureOptions options, IMeterFactory meterFactory, ILogger<CaptureObserver> logger, TimeProvider time)
        : this(options, meterFactory, logger, time, options.Enabled ? new JsonlCaptureSink(options.Directory!, time) : null)
    {
    }

    internal CaptureObserver(CaptureOptions options, IMeterFactory meterFactory, ILogger logger, TimeProvider time, ICaptureSink? sink)
    {
        _options = options;
        _sink = sink;
        _metrics = new CaptureMetrics(meterFactory);
        _logger = logger;
        _time = time;
        _settings = new VersionSettingsCache<CaptureSettings>(ParseSettings);
        _queue = Channel.CreateBounded<CaptureRecord>(new BoundedChannelOptions(Math.Max(1, options.QueueSize))
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,   // with TryWrite only: a full queue refuses, and the record is counted as dropped
        });
        if (sink is not null)
        {
            _writer = Task.Run(WriteLoopAsync);
        }
    }

    public void OnCompleted(in InferenceObservation observation)
    {
        if (_sink is null || _settings.Get(observation.Version) is not { } settings || !settings.Sample())
        {
            return;
        }

        var record = CaptureRecord.Copy(observation, settings, _time.GetUtcNow());
        if (!_queue.Writer.TryWrite(record))
        {
            _metrics.Record(settings, CaptureMetrics.Dropped);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        if (_sink is not null)
        {
            await _sink.DisposeAsync().ConfigureAwait(false);
        }
    }

    private CaptureSettings? ParseSettings(ModelVersion version)
    {
        if (_sink is null)
        {
            return null;
        }

        try
        {
            var settings = CaptureSettings.Parse(version, _options);
            if (settings is not null)
            {
                _metrics.Start(settings);
                CaptureLog.CaptureStarted(_logger, settings.Model, settings.Version, settings.SampleRate, _options.Directory ?? "");
            }

            return settings;
        }
        catch (ModelConfigException ex)
        {
            CaptureLog.CaptureConfigInvalid(_logger, version.ModelName, version.Version, ex.Message);
            return null;
        }
    }

    private async Task WriteLoopAsync()
    {
        using var line = new CaptureLine(_options.Salt);
        var failing = new HashSet<string>(StringComparer.Ordinal);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var record))
            {
                await WriteAsync(record, line, failing).ConfigureAwait(false);
            }

            // Flushed whenever the queue runs dry: lines reach the file within one burst, not at rotation.
            await FlushAsync(failing).ConfigureAwait(false);
        }

        await FlushAsync(failing).ConfigureAwait(false);
    }

    private async ValueTask WriteAsync(CaptureRecord record, CaptureLine line, HashSet<string> failing)
    {
        var settings = record.Settings;
        try
        {
            var appended = await _sink!.AppendAsync(settings, line.Write(record), CancellationToken.None).ConfigureAwait(false);
            _metrics.Record(settings, appended.Written ? CaptureMetrics.Written : CaptureMetrics.Dropped);
            if (appended.Evicted > 0)
            {
                _metrics.Record(settings, CaptureMetrics.Evicted, appended.Evicted);
            }

            if (failing.Remove(settings.Model))
            {
                CaptureLog.CaptureWriteRecovered(_logger, settings.Model);
            }
        }
#pragma warning disable CA1031 // the writer outlives any one bad write (disk full, permissions): count it and go on
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _metrics.Record(settings, CaptureMetrics.Failed);
            if (failing.Add(settings.Model))
            {
                CaptureLog.CaptureWriteFailed(_logger, settings.Model, ex);
            }
        }
    }

    private async ValueTask FlushAsync(HashSet<string> failing)
    {
        try
        {
            await _sink!.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // lines already counted as written may be lost here; the next write reports the disk's state
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (failing.Add(""))
            {
                CaptureLog.CaptureWriteFailed(_logger, "", ex);
            }
        }
    }
}
