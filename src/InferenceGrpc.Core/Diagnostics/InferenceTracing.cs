using System.Diagnostics;

namespace InferenceGrpc.Core.Diagnostics;

/// <summary>
/// The server's spans: the queue wait of each request (a child of the call's span, which continues the caller's
/// W3C trace context) and each batch execution, linked to the requests it served. Nothing is allocated when no
/// listener samples the source.
/// </summary>
public static class InferenceTracing
{
    public const string SourceName = "InferenceGrpc";

    public static readonly ActivitySource Source = new(SourceName);
}
