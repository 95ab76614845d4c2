using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using Inference;
using InferenceGrpc.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace InferenceGrpc.EndToEnd.Tests;

/// <summary>
/// SIGTERM under load against the real process: every request is accounted for. A unary call either completes OK
/// or is refused UNAVAILABLE (a refused connection, which grpc-dotnet reports as UNAVAILABLE, counts as refused);
/// a stream answers, in order and without errors, a prefix of what it sent, then ends UNAVAILABLE so the client
/// retries the rest elsewhere. Nothing hangs: every call ends within the exit timeout plus a guard, and the process
/// exits 0.
/// </summary>
public sealed class DrainTests(ITestOutputHelper output)
{
    private const int ExitTimeoutSecs = 10;
    private const int UnaryCallers = 16;
    private const int Streams = 2;
    private const int StreamWindow = 8;

    /// <summary>How long past the exit timeout anything may still run: a hang guard, not a timing check.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan CallBound = TimeSpan.FromSeconds(ExitTimeoutSecs) + Guard;

    [Fact]
    public async Task Sigterm_UnderUnaryAndStreamLoad_EveryRequestCompletesOrIsRefusedUnavailable_AndExitsZero()
    {
        await using var server = await ServerProcess.StartAsync(
            ServerProcess.StandardArgs("--exit-timeout-secs", ExitTimeoutSecs.ToString(CultureInfo.InvariantCulture),
                // Keep the listener open for 2 s after SIGTERM: every new call gets the server's UNAVAILABLE
                // rather than racing the connection's close (which the client reports as INTERNAL).
                "--drain-delay-secs", "2"));
        await server.WaitUntilReadyAsync();

        var image = RandomImages.Create(7, 1);
        var sigterm = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ledger = new Ledger();
        var callers = Enumerable.Range(0, UnaryCallers)
            .Select(c => Task.Run(() => UnaryCallerAsync(server, c, image, sigterm.Task, ledger)))
            .ToArray();
        var streams = Enumerable.Range(0, Streams)
            .Select(s => Task.Run(() => StreamAsync(server, s, image, ledger)))
            .ToArray();

        // Load first: SIGTERM lands while calls and stream messages are queued and running.
        var warm = Stopwatch.StartNew();
        while (Volatile.Read(ref ledger.UnaryOk) < 200 && warm.Elapsed < TimeSpan.FromSeconds(30) && !ledger.Failures.Any())
        {
            await Task.Delay(20);
        }

        Assert.True(ledger.Failures.IsEmpty, "Failures before SIGTERM:\n" + string.Join('\n', ledger.Failures));
        var okBefore = Volatile.Read(ref ledger.UnaryOk);
        server.Process.Terminate();
        var terminated = Stopwatch.StartNew();
        sigterm.SetResult();

        var exitCode = await server.Process.WaitForExitAsync(CallBound);
        var exitedAfter = terminated.Elapsed;
        var everything = Task.WhenAll(callers.Concat(streams));
        var finished = await Task.WhenAny(everything, Task.Delay(Guard)) == everything;

        output.WriteLine($"unary: {ledger.UnaryOk} OK ({okBefore} before SIGTERM), {ledger.UnaryRefused} refused UNAVAILABLE; " +
                         $"streams: {ledger.StreamAnswered} answered OK, {ledger.StreamUnanswered} unanswered and retryable (status UNAVAILABLE); " +
                         $"exit code {exitCode} {exitedAfter.TotalSeconds:F1} s after SIGTERM");
        foreach (var line in ledger.Notes)
        {
            output.WriteLine(line);
        }

        Assert.True(finished, $"Callers or streams still running {Guard.TotalSeconds} s after the process exited (a hang).");
        await everything;
        Assert.True(ledger.Failures.IsEmpty, $"{ledger.Failures.Count} requests neither OK nor refused UNAVAILABLE:\n" +
                                             string.Join('\n', ledger.Failures.Take(20)) + "\n" + server.Process.Describe());
        Assert.True(exitCode == 0, $"Exit code {exitCode}.\n{server.Process.Describe()}");
        Assert.True(ledger.UnaryOk > okBefore || ledger.UnaryOk > 0, "no unary call completed");
        // Every caller ended on a refusal: new calls after SIGTERM are refused, never left hanging.
        Assert.Equal(UnaryCallers, Volatile.Read(ref ledger.CallersEndedRefused));
        Assert.Equal(Streams, Volatile.Read(ref ledger.StreamsEndedUnavailable));
    }

    private static async Task UnaryCallerAsync(ServerProcess server, int caller, float[] image, Task sigterm, Ledger ledger)
    {
        for (var i = 0; ; i++)
        {
            var id = $"u{caller}-{i}";
            var afterSigterm = sigterm.IsCompleted;
            var started = Stopwatch.StartNew();
            try
            {
                var response = await server.Client.ModelInferAsync(Wire.TextDirectionRequest(id, image), deadline: DateTime.UtcNow + CallBound);
                if (response.Id != id || Wire.Fp32Output(response, ReferenceModel.OutputName).Length != ReferenceModel.Classes)
                {
                    ledger.Failures.Enqueue($"{id}: a wrong answer (id '{response.Id}')");
                }

                Interlocked.Increment(ref ledger.UnaryOk);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && sigterm.IsCompleted)
            {
                Interlocked.Increment(ref ledger.UnaryRefused);
                Interlocked.Increment(ref ledger.CallersEndedRefused);
                ledger.Notes.Enqueue($"{id}: refused after {started.Elapsed.TotalMilliseconds:F0} ms: {ex.Status.Detail}");
                return;
            }
            catch (RpcException ex)
            {
                ledger.Failures.Enqueue($"{id} ({(afterSigterm ? "sent after" : "sent before")} SIGTERM): {ex.StatusCode} \"{ex.Status.Detail}\" after {started.Elapsed.TotalSeconds:F1} s");
                return;
            }
        }
    }

    private static async Task StreamAsync(ServerProcess server, int stream, float[] image, Ledger ledger)
    {
        // Each stream has its own connection. When drain ends a stream, the client may still have request messages in
        // flight; Kestrel can answer such DATA on a closed stream with a connection error (STREAM_CLOSED), which would
        // fail every other call sharing that connection with INTERNAL. Production clients see the same, which is why
        // docs/DEPLOY.md recommends streams on a channel of their own; the unary callers here share the main channel.
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 });
        using var call = new GRPCInferenceService.GRPCInferenceServiceClient(channel).ModelStreamInfer();
        using var window = new SemaphoreSlim(StreamWindow);
        using var ended = new CancellationTokenSource();
        var sent = 0;
        var writer = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await window.WaitAsync(ended.Token);
                    await call.RequestStream.WriteAsync(Wire.TextDirectionRequest($"s{stream}-{sent}", image));
                    Interlocked.Increment(ref sent);
                }
            }
            catch (OperationCanceledException) when (ended.IsCancellationRequested)
            {
                // The response side has ended.
            }
            catch (Exception ex) when (ex is RpcException or InvalidOperationException or IOException)
            {
                // The call has ended (the server closed it after draining, and then the connection): nothing more
                // can be sent. grpc-dotnet reports a write racing the connection's close as a bare HttpProtocolException.
                ledger.Notes.Enqueue($"stream {stream}: writing ended with {ex.GetType().Name}: {ex.Message}");
            }
        });

        var answered = 0;
        try
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                var response = call.ResponseStream.Current;
                var expected = $"s{stream}-{answered}";
                if (response.ErrorMessage.Length > 0 || response.InferResponse.Id != expected)
                {
                    ledger.Failures.Enqueue($"stream {stream}: answer {answered} is id '{response.InferResponse.Id}' error '{response.ErrorMessage}', expected an OK answer to '{expected}'");
                }

                answered++;
                window.Release();
            }

            ledger.Failures.Enqueue($"stream {stream}: ended OK, though the client never completed it; expected UNAVAILABLE");
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
        {
            Interlocked.Increment(ref ledger.StreamsEndedUnavailable);
            ledger.Notes.Enqueue($"stream {stream}: ended UNAVAILABLE \"{ex.Status.Detail}\" after {answered} answers");
        }
        catch (RpcException ex)
        {
            ledger.Failures.Enqueue($"stream {stream}: ended {ex.StatusCode} \"{ex.Status.Detail}\" after {answered} answers");
        }
        finally
        {
            await ended.CancelAsync();
            await writer;
        }

        var total = Volatile.Read(ref sent);
        if (answered > total)
        {
            ledger.Failures.Enqueue($"stream {stream}: {answered} answers for {total} messages");
        }

        Interlocked.Add(ref ledger.StreamAnswered, answered);
        Interlocked.Add(ref ledger.StreamUnanswered, total - answered);
    }

    private sealed class Ledger
    {
        public int UnaryOk;
        public int UnaryRefused;
        public int CallersEndedRefused;
        public int StreamsEndedUnavailable;
        public int StreamAnswered;
        public int StreamUnanswered;

        public ConcurrentQueue<string> Failures { get; } = new();

        public ConcurrentQueue<string> Notes { get; } = new();
    }
}
