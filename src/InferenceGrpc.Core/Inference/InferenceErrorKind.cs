namespace InferenceGrpc.Core.Inference;

/// <summary>Why a request failed. The host maps each kind to one protocol status code.</summary>
public enum InferenceErrorKind
{
    /// <summary>The request is malformed for the model: datatype, shape, byte size, names.</summary>
    InvalidArgument,

    /// <summary>The model or the version is not in the repository.</summary>
    NotFound,

    /// <summary>The model exists but cannot serve now (loading, failed to load, server draining).</summary>
    Unavailable,

    /// <summary>The model's queue is full: shed load now rather than grow latency.</summary>
    QueueFull,

    /// <summary>The request's deadline passed before it ran.</summary>
    DeadlineExceeded,

    /// <summary>The caller went away before the request ran.</summary>
    Cancelled,

    /// <summary>The backend failed while running; details are logged, not returned.</summary>
    Internal,
}
