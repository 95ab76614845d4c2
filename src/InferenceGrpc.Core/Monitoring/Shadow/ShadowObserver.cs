using System.Diagnostics.Metrics;
using System.Threading.Channels;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using Microsoft.Extensions.Logging;

namespace InferenceGrpc.Core.Monitoring.Shadow;

/// <summary>
/// Shadow versions: mirrors <c>shadow.fraction</c> of a version's successful requests to the candidate version
/// <c>shadow.version</c> of the same model, and compares the candidate's outputs with the primary's. On the request
/// path it only samples, copies the mirrored request and queues it; a background dispatcher resolves the candidate,
/// validates and queues the copy on the candidate's scheduler. At most <see cref="ShadowOptions.MaxInFlight"/>
/// shadow requests are queued or running; past that they are dropped and counted, so the caller's answer and
/// latency come from the primary alone. Failures (candidate missing, not ready, failing) are counted, never seen by
/// the caller.
/// </summary>
public sealed class ShadowObserver : IInferenceObserver, IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly ModelRegistry _registry;
    private readonly int _maxInFlight;
    private readonly ShadowMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly VersionSettingsCache<ShadowSettings> _settings;
    private readonly Channel<ShadowJob> _queue = Channel.CreateUnbounded<ShadowJob>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _dispatcher;
    private int _inFlight;
    private int _stopped;

    public ShadowObserver(ModelRegistry registry, ShadowOptions options, IMeterFactory meterFactory, ILogger<ShadowObserver> logger, TimeProvider time)
    {
        _registry = registry;
        _maxInFlight = Math.Max(1, options.MaxInFlight);
        _metrics = new ShadowMetrics(meterFactory);
        _logger = logger;
        _time = time;
        _settings = new VersionSettingsCache<ShadowSettings>(ParseSettings);
        _dispatcher = Task.Run(DispatchAsync);
    }

    /// <summary>Shadow requests queued or running now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public void OnCompleted(in InferenceObservation observation)
    {
        if (_settings.Get(observation.Version) is not { } settings || !settings.Sample())
        {
            return;
        }

        // The bound covers queued and running shadow requests: the channel itself never holds more than this.
        if (Interlocked.Increment(ref _inFlight) > _maxInFlight || Volatile.Read(ref _stopped) != 0)
        {
            Release();
            _metrics.Request(settings, ShadowMetrics.Dropped);
            return;
        }

        if (!_queue.Writer.TryWrite(ShadowJob.Copy(observation, settings)))
        {
            Release();
            _metrics.Request(settings, ShadowMetrics.Dropped);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _dispatcher.ConfigureAwait(false);
        if (Volatile.Read(ref _inFlight) > 0)
        {
            // Cancelled shadow requests leave their queues at once; the bound only guards against a stuck backend.
            await _drained.Task.WaitAsync(StopTimeout).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private ShadowSettings? ParseSettings(ModelVersion version)
    {
        try
        {
            if (ShadowSettings.Parse(version) is not { } settings)
            {
                return null;
            }

            _metrics.Start(settings);
            ShadowLog.ShadowStarted(_logger, settings.Model, settings.Primary, settings.Fraction, settings.Candidate);
            if (!_registry.TryGetModel(settings.Model, out var model) || !model.Versions.ContainsKey(settings.Candidate))
            {
                var served = model is null ? "none" : "[" + string.Join(", ", model.Versions.Keys.Order()) + "]";
                ShadowLog.ShadowCandidateNotServed(_logger, settings.Model, settings.Candidate, served);
            }

            return settings;
        }
        catch (ModelConfigException ex)
        {
            ShadowLog.ShadowConfigInvalid(_logger, version.ModelName, version.Version, ex.Message);
            return null;
        }
    }

    private async Task DispatchAsync()
    {
        await foreach (var job in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (_stopping.IsCancellationRequested)
            {
                Release();
                continue;
            }

            // Not awaited: the dispatcher starts each shadow request and moves on; RunAsync never throws.
            _ = RunAsync(job);
        }
    }

    private async Task RunAsync(ShadowJob job)
    {
        var settings = job.Settings;
        try
        {
            var started = _time.GetTimestamp();
            var candidate = _registry.ResolveReady(settings.Model, settings.CandidateText);
            var rows = RequestValidator.Validate(job.Request, candidate.Signature!, settings.Model);
            using var result = await candidate.Scheduler!.EnqueueAsync(job.Request, rows, _stopping.Token).ConfigureAwait(false);
            var elapsed = _time.GetElapsedTime(started);
            _metrics.Compare(settings, OutputComparison.Compare(job.PrimaryOutputs, result.Outputs), elapsed);
        }
        catch (InferenceException ex)
        {
            _metrics.Request(settings, ShadowMetrics.Failed);
            ShadowLog.ShadowRequestFailed(_logger, settings.Model, settings.Candidate, ex.Kind.ToString(), ex.Message);
        }
#pragma warning disable CA1031 // a shadow request's failure of any kind is counted, never thrown into the dispatcher
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _metrics.Request(settings, ShadowMetrics.Failed);
            ShadowLog.ShadowRequestFailed(_logger, settings.Model, settings.Candidate, ex.GetType().Name, ex.Message);
        }
        finally
        {
            Release();
        }
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && Volatile.Read(ref _stopped) != 0)
        {
            _drained.TrySetResult();
        }
    }
}
