using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Grpc.Core;
using Inference;
using InferenceGrpc.Client;

namespace InferenceGrpc.Cli.Batch;

/// <summary>
/// Runs a job's requests over one <c>ModelStreamInfer</c> stream at a time, with flow control: at most
/// <see cref="DispatchOptions.MaxInFlight"/> requests are between sending and being written out (the writer calls
/// <see cref="Release"/>), so the reorder buffer is bounded by the same window. A stream that fails transiently
/// (UNAVAILABLE: server restarting or draining; a reset by the server; a request past its timeout) is reopened after a backoff and every
/// unanswered request is sent again, in order. A request answered in band with an error is sent again alone as a
/// unary call, which says its status code (a stream error carries only a message), retries a transient one, and,
/// for a request of several rows, finds each row's own answer.
/// </summary>
internal sealed class StreamDispatcher
{
    private readonly InferenceClient _client;
    private readonly RequestFactory _requests;
    private readonly DispatchOptions _options;
    private readonly SemaphoreSlim _window;
    private readonly Channel<BatchWork> _done = Channel.CreateUnbounded<BatchWork>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, BatchWork> _unanswered = [];   // on the stream, not answered yet
    private readonly List<Task> _resolving = [];
    private Channel<ModelInferRequest> _outbox = NewOutbox();
    private bool _submitted;

    public StreamDispatcher(InferenceClient client, RequestFactory requests, DispatchOptions options)
    {
        _client = client;
        _requests = requests;
        _options = options;
        _window = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
    }

    /// <summary>Work items whose every row has an outcome, in completion order (not request order).</summary>
    public ChannelReader<BatchWork> Completed => _done.Reader;

    /// <summary>Sends <paramref name="work"/> once the window has room.</summary>
    public async Task SubmitAsync(BatchWork work, CancellationToken ct)
    {
        await _window.WaitAsync(ct).ConfigureAwait(false);
        if (work.Request is null)
        {
            _done.Writer.TryWrite(work);   // a row the client could not read: already failed
            return;
        }

        lock (_gate)
        {
            _unanswered.Add(work.Sequence, work);
            Send(work);
        }
    }

    /// <summary>No more work: the stream ends once every request is answered.</summary>
    public void CompleteSubmissions()
    {
        lock (_gate)
        {
            _submitted = true;
            _outbox.Writer.TryComplete();
        }
    }

    /// <summary>One work item has been written out: its place in the window is free.</summary>
    public void Release() => _window.Release();

    /// <summary>Keeps a stream open until every submitted request is answered; then completes <see cref="Completed"/>.</summary>
    /// <exception cref="RpcException">A failure that is not transient, or transient ones past the retry limit.</exception>
    public async Task RunAsync(CancellationToken ct)
    {
        var failures = 0;
        while (true)
        {
            RpcException failure;
            try
            {
                if (await RunStreamAsync(ct, () => failures = 0).ConfigureAwait(false))
                {
                    break;
                }

                failure = new RpcException(new Status(StatusCode.Unavailable, "the server ended the stream with requests unanswered"));
            }
            catch (RpcException ex) when (BatchStatus.IsTransientStreamFailure(ex.StatusCode, ct.IsCancellationRequested))
            {
                failure = ex;
            }

            if (++failures > _options.MaxRetries)
            {
                throw new RpcException(new Status(failure.StatusCode,
                    $"{failure.Status.Detail} (gave up after {_options.MaxRetries} retries without an answer)"));
            }

            await Task.Delay(_options.Backoff(failures), ct).ConfigureAwait(false);
            Reopen();
        }

        Task[] resolving;
        lock (_gate)
        {
            resolving = [.. _resolving];
        }

        await Task.WhenAll(resolving).ConfigureAwait(false);
        _done.Writer.TryComplete();
    }

    /// <returns>True when the stream ended with every request answered and no more to come.</returns>
    private async Task<bool> RunStreamAsync(CancellationToken ct, Action answered)
    {
        Channel<ModelInferRequest> outbox;
        lock (_gate)
        {
            outbox = _outbox;
        }

        using var stream = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var timedOut = false;
        using var watchdog = new Timer(
            _ =>
            {
                if (OldestWait() > _options.RequestTimeout)
                {
                    timedOut = true;
                    try
                    {
                        stream.Cancel();
                    }
                    catch (ObjectDisposedException)
                    {
                        // The stream ended while the timer fired.
                    }
                }
            },
            null, WatchPeriod, WatchPeriod);
        try
        {
            await foreach (var response in _client.StreamAsync(outbox.Reader.ReadAllAsync(stream.Token), stream.Token).ConfigureAwait(false))
            {
                answered();
                OnResponse(response, ct);
            }
        }
        catch (Exception ex) when (timedOut && !ct.IsCancellationRequested && ex is OperationCanceledException or RpcException)
        {
            throw new RpcException(new Status(StatusCode.DeadlineExceeded,
                $"a request went unanswered for {_options.RequestTimeout.TotalSeconds:0.###} s (--request-timeout)"));
        }

        lock (_gate)
        {
            return _submitted && _unanswered.Count == 0;
        }
    }

    private TimeSpan WatchPeriod => TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 10, _options.RequestTimeout.Ticks / 4));

    private TimeSpan OldestWait()
    {
        lock (_gate)
        {
            return _unanswered.Count == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(_unanswered.Values.Min(w => w.SentAt));
        }
    }

    /// <summary>A fresh stream gets every unanswered request again, in order. Caller: the stream loop, between streams.</summary>
    private void Reopen()
    {
        lock (_gate)
        {
            _outbox.Writer.TryComplete();
            _outbox = NewOutbox();
            foreach (var work in _unanswered.Values)
            {
                Send(work);
            }

            if (_submitted)
            {
                _outbox.Writer.TryComplete();
            }
        }
    }

    // Caller holds _gate.
    private void Send(BatchWork work)
    {
        work.SentAt = Stopwatch.GetTimestamp();
        _outbox.Writer.TryWrite(work.Request!);
    }

    private void OnResponse(ModelStreamInferResponse response, CancellationToken ct)
    {
        BatchWork? work;
        lock (_gate)
        {
            if (!long.TryParse(response.InferResponse?.Id, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
                || !_unanswered.Remove(sequence, out work))
            {
                return;   // not ours, or answered already on an earlier stream
            }

            if (!string.IsNullOrEmpty(response.ErrorMessage))
            {
                _resolving.Add(ResolveAsync(work, ct));
                return;
            }
        }

        try
        {
            work.Succeeded(new InferResult(response.InferResponse));
        }
        catch (InvalidOperationException ex)
        {
            work.Failed(BatchStatus.InvalidResponse, ex.Message);
        }

        _done.Writer.TryWrite(work);
    }

    /// <summary>A request answered in band with an error: learn each row's status over unary calls.</summary>
    private async Task ResolveAsync(BatchWork work, CancellationToken ct)
    {
        await Task.Yield();   // off the response loop
        var (result, status) = await InferAsync(work.Request!, ct).ConfigureAwait(false);
        if (result is not null)
        {
            work.Succeeded(result);
        }
        else if (work.Rows.Length == 1)
        {
            work.Outcomes[0] = RowOutcome.Failed(BatchStatus.Name(status.StatusCode), status.Detail);
        }
        else
        {
            // The request as a whole was refused: ask for each row alone, so one bad row fails alone.
            for (var i = 0; i < work.Rows.Length; i++)
            {
                var single = _requests.Build($"{work.Sequence}.{i}", [work.Rows[i]]);
                var (row, rowStatus) = await InferAsync(single, ct).ConfigureAwait(false);
                work.Outcomes[i] = row is not null
                    ? new RowOutcome(row, 0, 1, null, null)
                    : RowOutcome.Failed(BatchStatus.Name(rowStatus.StatusCode), rowStatus.Detail);
            }
        }

        _done.Writer.TryWrite(work);
    }

    private async Task<(InferResult? Result, Status Status)> InferAsync(ModelInferRequest request, CancellationToken ct)
    {
        for (var retry = 0; ; retry++)
        {
            try
            {
                var response = await _client.RawClient.ModelInferAsync(
                    request, deadline: DateTime.UtcNow + _options.RequestTimeout, cancellationToken: ct).ConfigureAwait(false);
                return (new InferResult(response), Status.DefaultSuccess);
            }
            catch (RpcException ex) when (!ct.IsCancellationRequested && BatchStatus.IsTransient(ex.StatusCode) && retry < _options.MaxRetries)
            {
                await Task.Delay(_options.Backoff(retry + 1), ct).ConfigureAwait(false);
            }
            catch (RpcException ex) when (!ct.IsCancellationRequested)
            {
                return (null, ex.Status);
            }
            catch (InvalidOperationException ex)
            {
                return (null, new Status(StatusCode.Internal, $"{BatchStatus.InvalidResponse}: {ex.Message}"));
            }
        }
    }

    private static Channel<ModelInferRequest> NewOutbox() =>
        Channel.CreateUnbounded<ModelInferRequest>(new UnboundedChannelOptions { SingleReader = true });
}
