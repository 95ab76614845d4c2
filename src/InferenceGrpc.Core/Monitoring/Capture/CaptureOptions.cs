namespace InferenceGrpc.Core.Monitoring.Capture;

/// <summary>
/// Server-wide settings of prediction capture (configuration section "Capture"). Capture is off unless
/// <see cref="Directory"/> is set; then each model opts in with its <c>capture.sample_rate</c> parameter.
/// </summary>
public sealed class CaptureOptions
{
    public const string Section = "Capture";

    /// <summary>Where captured records go, one sub-directory per model. Default: none, capture off for every model.</summary>
    public string? Directory { get; set; }

    /// <summary>
    /// Prepended to an element's bytes before SHA-256 for <c>capture.redact.&lt;tensor&gt; = hash</c>, so equal values
    /// still join across records while a dictionary of likely values cannot be hashed to reverse them. Keep it secret
    /// and stable (changing it breaks joins with older files). Default: empty, which makes hash rules a config error.
    /// </summary>
    public string Salt { get; set; } = "";

    /// <summary>Records waiting for the writer, all models together; past it records are dropped and counted. Default 1024.</summary>
    public int QueueSize { get; set; } = 1024;

    /// <summary>A model's file rotates when the next line would take it past this size (<c>capture.max_file_bytes</c> overrides). Default 64 MiB.</summary>
    public long MaxFileBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>All of a model's capture files together; the oldest files are deleted past it (<c>capture.max_total_bytes</c> overrides). Default 1 GiB.</summary>
    public long MaxTotalBytes { get; set; } = 1024L * 1024 * 1024;

    public bool Enabled => !string.IsNullOrWhiteSpace(Directory);

    /// <summary>Every problem with these settings, each naming the configuration key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (QueueSize < 1)
        {
            errors.Add($"Capture:QueueSize (--capture-queue-size) must be at least 1, got {QueueSize}");
        }

        if (MaxFileBytes < 1)
        {
            errors.Add($"Capture:MaxFileBytes must be at least 1, got {MaxFileBytes}");
        }

        if (MaxTotalBytes < MaxFileBytes)
        {
            errors.Add($"Capture:MaxTotalBytes must be at least Capture:MaxFileBytes ({MaxFileBytes}), got {MaxTotalBytes}");
        }

        if (Enabled && File.Exists(Directory))
        {
            errors.Add($"Capture:Directory (--capture-directory) must be a directory, got the file '{Directory}'");
        }
        else if (Enabled)
        {
            // Created here, at startup, so an unwritable location is a configuration error now rather than a
            // stream of failed records later.
            try
            {
                System.IO.Directory.CreateDirectory(Directory!);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Add($"Capture:Directory (--capture-directory) '{Directory}' cannot be created: {ex.Message}");
            }
        }

        return errors;
    }
}
