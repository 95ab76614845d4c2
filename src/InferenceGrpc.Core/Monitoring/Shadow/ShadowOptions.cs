namespace InferenceGrpc.Core.Monitoring.Shadow;

/// <summary>
/// Server-wide settings of shadow versions (configuration section "Shadow"). Each model opts in with its
/// <c>shadow.version</c> and <c>shadow.fraction</c> parameters.
/// </summary>
public sealed class ShadowOptions
{
    public const string Section = "Shadow";

    /// <summary>
    /// Shadow requests queued or running at once, all models together; past it mirrored requests are dropped and
    /// counted, so a slow candidate costs the primary nothing. Default 32.
    /// </summary>
    public int MaxInFlight { get; set; } = 32;

    /// <summary>Every problem with these settings, each naming the configuration key.</summary>
    public IReadOnlyList<string> Validate() =>
        MaxInFlight < 1 ? [$"Shadow:MaxInFlight (--shadow-max-inflight) must be at least 1, got {MaxInFlight}"] : [];
}
