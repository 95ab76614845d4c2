using System.Runtime.ExceptionServices;
using Grpc.Core;
using Inference;

namespace InferenceGrpc.Client.Internal;

/// <summary>
/// Writes a request sequence to a streaming call. Kept apart from the reader so a slow
/// producer never holds back responses, and so failures can be told apart: a failing source is
/// the caller's bug and is reported, a failing write means the call is over and the reader
/// reports the call's status instead.
/// </summary>
internal sealed class RequestPump(
    IClientStreamWriter<ModelInferRequest> writer,
    IAsyncEnumerable<ModelInferRequest> source,
    CancellationTokenSource callCts)
{
    /// <summary>Set, before the call is cancelled, when enumerating the source threw.</summary>
    public ExceptionDispatchInfo? SourceFailure { get; private set; }

    /// <summary>Never throws.</summary>
    public async Task RunAsync()
    {
        var token = callCts.Token;
        IAsyncEnumerator<ModelInferRequest>? requests = null;
        try
        {
            requests = source.GetAsyncEnumerator(token);
            while (true)
            {
                bool more;
                try
                {
                    more = await requests.MoveNextAsync().ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return;   // we were told to stop; not the source's fault
                }
                catch (Exception ex)
                {
                    SourceFailure = ExceptionDispatchInfo.Capture(ex);
                    await callCts.CancelAsync().ConfigureAwait(false);
                    return;
                }

                if (!more)
                {
                    break;
                }

                await writer.WriteAsync(requests.Current, token).ConfigureAwait(false);
            }

            await writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception) when (SourceFailure is null)
        {
            // Write or complete failed: the call has ended or been cancelled, and the reader
            // sees why from the call itself.
        }
        finally
        {
            if (requests is not null)
            {
                try
                {
                    await requests.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (SourceFailure is null)
                {
                    SourceFailure = ExceptionDispatchInfo.Capture(ex);
                }
            }
        }
    }
}
