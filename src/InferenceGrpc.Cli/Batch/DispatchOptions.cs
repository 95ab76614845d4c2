namespace InferenceGrpc.Cli.Batch;

/// <summary>Flow control and retry settings of a batch job.</summary>
/// <param name="MaxInFlight">Requests sent and not yet written out; bounds the reorder buffer too.</param>
/// <param name="RequestTimeout">How long a request may go unanswered before its stream is dropped and it is sent again.</param>
/// <param name="MaxRetries">Tries after the first for a transient failure; for the stream, in a row without any answer between them.</param>
/// <param name="RetryBackoff">First pause before a retry; doubled each time up to <see cref="MaxBackoff"/>.</param>
internal sealed record DispatchOptions(int MaxInFlight, TimeSpan RequestTimeout, int MaxRetries, TimeSpan RetryBackoff)
{
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    /// <summary>The pause before try <paramref name="retry"/> (1-based): exponential, capped.</summary>
    public TimeSpan Backoff(int retry) =>
        TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, RetryBackoff.Ticks * (1L << Math.Min(retry - 1, 20))));
}
