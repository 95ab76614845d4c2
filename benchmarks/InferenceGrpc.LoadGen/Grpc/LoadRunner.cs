using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Inference;
using InferenceGrpc.LoadGen.Measurement;
using InferenceGrpc.LoadGen.Results;

namespace InferenceGrpc.LoadGen.Grpc;

/// <summary>
/// Drives one load level against a <see cref="GrpcTarget"/> with one prebuilt request. Closed loop: N callers, each
/// sending its next request when the previous one is answered (or keeping a window of requests in flight on its
/// stream); a request counts when it completes inside the measurement window. Open loop: arrivals at a fixed rate
/// whatever the server does, latency measured from each request's intended send time (so queueing in the client is
/// not hidden), and a request counts when its intended time falls inside the window.
/// </summary>
internal sealed class LoadRunner(GrpcTarget target, ModelInferRequest request, LoadSettings settings)
{
    public async Task<LevelResult> RunClosedAsync(int concurrency, CancellationToken cancellationToken)
    {
        var recorder = new LatencyRecorder();
        var stats = Enumerable.Range(0, concurrency).Select(_ => new CallStats()).ToArray();
        var memory = ProcessMemory.Capture();
        var window = MeasurementWindow.After(Stopwatch.GetTimestamp(), settings.Warmup, settings.Duration);
        using var abort = AbortAfterWindow(cancellationToken);

        var callers = new Task[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            var client = target.ClientFor(i);
            var callerStats = stats[i];
            callers[i] = settings.Stream
                ? Task.Run(() => StreamCallerAsync(client, window, recorder, callerStats, abort.Token), CancellationToken.None)
                : Task.Run(() => UnaryCallerAsync(client, window, recorder, callerStats, abort.Token), CancellationToken.None);
        }

        await Task.WhenAll(callers).ConfigureAwait(false);
        return Result(concurrency, null, window, recorder, Merge(stats), memory);
    }

    public async Task<LevelResult> RunOpenAsync(double ratePerSecond, int maxInFlight, CancellationToken cancellationToken)
    {
        var recorder = new LatencyRecorder();

        // Calls finish on any pool thread: their counters are striped, each stripe locked.
        var stripes = Enumerable.Range(0, Math.Max(4, Environment.ProcessorCount * 4)).Select(_ => new CallStats()).ToArray();
        var dispatcher = new CallStats();
        var memory = ProcessMemory.Capture();
        var start = Stopwatch.GetTimestamp();
        var window = MeasurementWindow.After(start, settings.Warmup, settings.Duration);
        var schedule = new OpenLoopSchedule(start, ratePerSecond, Stopwatch.Frequency);
        var tolerance = MeasurementWindow.ToTicks(settings.LateTolerance);
        using var abort = AbortAfterWindow(cancellationToken);

        // Not disposed: calls cancelled by the abort may still release their slot after this method returns.
        var slots = new SemaphoreSlim(maxInFlight, maxInFlight);

        try
        {
            for (long index = 0; ; index++)
            {
                var intended = schedule.IntendedTicks(index);
                if (intended >= window.EndTicks)
                {
                    break;
                }

                await WaitUntilAsync(intended, abort.Token).ConfigureAwait(false);

                // A full in-flight cap holds the request back: it goes out late, and its latency shows it.
                await slots.WaitAsync(abort.Token).ConfigureAwait(false);
                var sent = Stopwatch.GetTimestamp();
                if (window.Contains(intended))
                {
                    var lag = sent - intended;
                    dispatcher.MaxSendLagTicks = Math.Max(dispatcher.MaxSendLagTicks, lag);
                    if (OpenLoopSchedule.IsLate(intended, sent, tolerance))
                    {
                        dispatcher.Late++;
                    }
                }

                var client = target.ClientFor((int)(index % target.Connections));
                var stripe = stripes[index % stripes.Length];
                _ = Task.Run(() => OpenCallAsync(client, intended, window, recorder, stripe, slots, abort.Token), CancellationToken.None);
            }

            // Wait for the calls still in flight: all slots back.
            for (var i = 0; i < maxInFlight; i++)
            {
                await slots.WaitAsync(abort.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The level ran past its grace period: what completed is reported; the rest was cancelled.
        }

        var all = Merge(stripes);
        all.Merge(dispatcher);
        return Result(maxInFlight, ratePerSecond, window, recorder, all, memory);
    }

    private async Task UnaryCallerAsync(
        GRPCInferenceService.GRPCInferenceServiceClient client, MeasurementWindow window, LatencyRecorder recorder, CallStats stats, CancellationToken abort)
    {
        while (!abort.IsCancellationRequested)
        {
            var start = Stopwatch.GetTimestamp();
            if (start >= window.EndTicks)
            {
                return;
            }

            stats.Sent++;
            try
            {
                var response = await client.ModelInferAsync(request, deadline: DateTime.UtcNow + settings.RequestTimeout, cancellationToken: abort)
                    .ConfigureAwait(false);
                var end = Stopwatch.GetTimestamp();
                if (window.Contains(end))
                {
                    recorder.RecordTicks(start, end);
                    stats.Success(response);
                }
            }
            catch (RpcException ex) when (!abort.IsCancellationRequested)
            {
                if (window.Contains(Stopwatch.GetTimestamp()))
                {
                    stats.Error(ex.StatusCode.ToString());
                }
            }
            catch (RpcException) when (abort.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>One stream, up to <see cref="LoadSettings.Window"/> requests in flight; reopened if the server ends it.</summary>
    private async Task StreamCallerAsync(
        GRPCInferenceService.GRPCInferenceServiceClient client, MeasurementWindow window, LatencyRecorder recorder, CallStats stats, CancellationToken abort)
    {
        while (!abort.IsCancellationRequested && Stopwatch.GetTimestamp() < window.EndTicks)
        {
            using var streamCancel = CancellationTokenSource.CreateLinkedTokenSource(abort);
            using var call = client.ModelStreamInfer(cancellationToken: streamCancel.Token);
            using var slots = new SemaphoreSlim(settings.Window, settings.Window);

            // The server answers a stream in request order, so send times match responses first in, first out.
            var sendTimes = new ConcurrentQueue<long>();
            var reader = Task.Run(() => ReadStreamAsync(call, sendTimes, slots, window, recorder, stats, streamCancel), CancellationToken.None);
            try
            {
                while (true)
                {
                    await slots.WaitAsync(streamCancel.Token).ConfigureAwait(false);
                    var now = Stopwatch.GetTimestamp();
                    if (now >= window.EndTicks)
                    {
                        break;
                    }

                    stats.Sent++;
                    sendTimes.Enqueue(now);
                    await call.RequestStream.WriteAsync(request, streamCancel.Token).ConfigureAwait(false);
                }

                await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or RpcException or InvalidOperationException)
            {
                // The reader saw the stream fail (and cancelled us), or the abort fired; the reader reports it.
                await streamCancel.CancelAsync().ConfigureAwait(false);
            }

            if (await reader.ConfigureAwait(false))
            {
                // The stream failed: open a new one, without spinning on a server that refuses them all.
                try
                {
                    await Task.Delay(10, abort).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <returns>True when the stream failed rather than ending normally.</returns>
    private static async Task<bool> ReadStreamAsync(
        AsyncDuplexStreamingCall<ModelInferRequest, ModelStreamInferResponse> call, ConcurrentQueue<long> sendTimes, SemaphoreSlim slots,
        MeasurementWindow window, LatencyRecorder recorder, CallStats stats, CancellationTokenSource streamCancel)
    {
        try
        {
            while (await call.ResponseStream.MoveNext(streamCancel.Token).ConfigureAwait(false))
            {
                var end = Stopwatch.GetTimestamp();
                var response = call.ResponseStream.Current;
                sendTimes.TryDequeue(out var start);
                if (window.Contains(end))
                {
                    if (string.IsNullOrEmpty(response.ErrorMessage))
                    {
                        recorder.RecordTicks(start, end);
                        stats.Success(response.InferResponse);
                    }
                    else
                    {
                        stats.Error(CallStats.InBandError);
                    }
                }

                slots.Release();
            }

            return false;
        }
        catch (RpcException ex)
        {
            if (ex.StatusCode != StatusCode.Cancelled && window.Contains(Stopwatch.GetTimestamp()))
            {
                stats.Error(ex.StatusCode.ToString());
            }
        }
        catch (OperationCanceledException)
        {
            // Aborted: nothing to report.
        }
        catch (ObjectDisposedException)
        {
            // The writer gave up and disposed the call first.
        }

        await streamCancel.CancelAsync().ConfigureAwait(false);
        return true;
    }

    private async Task OpenCallAsync(
        GRPCInferenceService.GRPCInferenceServiceClient client, long intended, MeasurementWindow window, LatencyRecorder recorder,
        CallStats stats, SemaphoreSlim slots, CancellationToken abort)
    {
        try
        {
            lock (stats)
            {
                stats.Sent++;
            }

            var response = await client.ModelInferAsync(request, deadline: DateTime.UtcNow + settings.RequestTimeout, cancellationToken: abort)
                .ConfigureAwait(false);
            if (window.Contains(intended))
            {
                recorder.RecordTicks(intended, Stopwatch.GetTimestamp());
                lock (stats)
                {
                    stats.Success(response);
                }
            }
        }
        catch (RpcException ex) when (!abort.IsCancellationRequested)
        {
            if (window.Contains(intended))
            {
                lock (stats)
                {
                    stats.Error(ex.StatusCode.ToString());
                }
            }
        }
        catch (RpcException)
        {
            // Aborted at the end of the grace period.
        }
        finally
        {
            slots.Release();
        }
    }

    private static async Task WaitUntilAsync(long ticks, CancellationToken cancellationToken)
    {
        // Timers tick about once a millisecond: sleep whole milliseconds (rounded down, at least one) while more than
        // half of one remains, then go, so a request leaves within about half a millisecond of its time. Requests
        // that fell behind (the loop was busy, or the in-flight cap held it) go out back to back until caught up.
        var halfMillisecond = Stopwatch.Frequency / 2000;
        while (ticks - Stopwatch.GetTimestamp() is var remaining && remaining > halfMillisecond)
        {
            var milliseconds = Math.Max(1, Math.Floor(remaining * 1000.0 / Stopwatch.Frequency));
            await Task.Delay(TimeSpan.FromMilliseconds(milliseconds), cancellationToken).ConfigureAwait(false);
        }
    }

    private CancellationTokenSource AbortAfterWindow(CancellationToken cancellationToken)
    {
        // Every level stops by itself: calls still running this long after the window are cancelled.
        var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        abort.CancelAfter(settings.Warmup + settings.Duration + settings.RequestTimeout + TimeSpan.FromSeconds(5));
        return abort;
    }

    private static CallStats Merge(IEnumerable<CallStats> stats)
    {
        var all = new CallStats();
        foreach (var s in stats)
        {
            lock (s)
            {
                all.Merge(s);
            }
        }

        return all;
    }

    private LevelResult Result(int concurrency, double? rate, MeasurementWindow window, LatencyRecorder recorder, CallStats stats, ProcessMemory memoryAtStart)
    {
        var seconds = (window.EndTicks - window.StartTicks) / (double)Stopwatch.Frequency;
        return new LevelResult
        {
            Concurrency = concurrency,
            TargetRatePerSecond = rate,
            BatchSize = settings.Batch,
            Requests = stats.Requests,
            Rows = stats.Requests * settings.Batch,
            Errors = stats.Errors,
            ErrorsByStatus = stats.ErrorsByStatus.OrderBy(e => e.Key, StringComparer.Ordinal).ToDictionary(),
            ElapsedSeconds = Math.Round(seconds, 3),
            RequestsPerSecond = stats.Requests / seconds,
            RowsPerSecond = stats.Requests * settings.Batch / seconds,
            LatencyMs = recorder.Summarize(),
            MeanBatchSize = CallStats.Mean(stats.BatchSizeSum, stats.BatchSizeCount),
            MeanQueueTimeUs = CallStats.Mean(stats.QueueTimeSum, stats.QueueTimeCount),
            MeanComputeTimeUs = CallStats.Mean(stats.ComputeTimeSum, stats.ComputeTimeCount),
            Late = rate is null ? null : stats.Late,
            MaxSendLagMs = rate is null ? null : Math.Round(stats.MaxSendLagTicks * 1000.0 / Stopwatch.Frequency, 3),
            Memory = ProcessMemory.Capture().Since(memoryAtStart, stats.Sent),
        };
    }
}
