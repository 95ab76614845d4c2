namespace InferenceGrpc.Core.Monitoring.Capture;

/// <summary>What capture does with one input or output (<c>capture.redact.&lt;tensor&gt;</c>).</summary>
public enum Redaction
{
    /// <summary>Written as it came (the default).</summary>
    Keep,

    /// <summary>Left out of the record entirely: never copied, never written.</summary>
    Drop,

    /// <summary>Each element written as the hex SHA-256 of the salt followed by the element's bytes.</summary>
    Hash,
}
