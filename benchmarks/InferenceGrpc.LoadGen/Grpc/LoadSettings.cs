namespace InferenceGrpc.LoadGen.Grpc;

/// <summary>How each load level runs.</summary>
/// <param name="Stream">ModelStreamInfer, one stream per caller, rather than unary calls.</param>
/// <param name="Window">Requests in flight per stream.</param>
/// <param name="Warmup">Load before the measurement window, not counted.</param>
/// <param name="Duration">The measurement window.</param>
/// <param name="RequestTimeout">Each call's gRPC deadline.</param>
/// <param name="Batch">Rows per request.</param>
/// <param name="LateTolerance">Open loop: how far behind its intended time a request may go out before it counts as late.</param>
internal sealed record LoadSettings(
    bool Stream, int Window, TimeSpan Warmup, TimeSpan Duration, TimeSpan RequestTimeout, int Batch, TimeSpan LateTolerance);

/// <summary>The measurement window in <see cref="System.Diagnostics.Stopwatch"/> ticks: [start, end).</summary>
internal readonly record struct MeasurementWindow(long StartTicks, long EndTicks)
{
    public bool Contains(long ticks) => ticks >= StartTicks && ticks < EndTicks;

    public static MeasurementWindow After(long nowTicks, TimeSpan warmup, TimeSpan duration) =>
        new(nowTicks + ToTicks(warmup), nowTicks + ToTicks(warmup) + ToTicks(duration));

    public static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
}
