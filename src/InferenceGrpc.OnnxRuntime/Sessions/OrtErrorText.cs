namespace InferenceGrpc.OnnxRuntime.Sessions;

/// <summary>Shortens ONNX Runtime error messages for model status and logs, which want one line, no internals.</summary>
internal static class OrtErrorText
{
    private const string NativeStatusMarker = "[ONNXRuntimeError] : ";

    /// <summary>The first line of the message, trimmed: ORT appends native stack traces on later lines in some builds.</summary>
    public static string FirstLine(string message)
    {
        var end = message.AsSpan().IndexOfAny('\r', '\n');
        return (end < 0 ? message : message[..end]).Trim();
    }

    /// <summary>
    /// The bare reason: the first line without the "[ErrorCode:Fail]" prefix and the native function name, e.g.
    /// "Failed to load shared library" from "[ErrorCode:Fail] OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library",
    /// and what follows the status code and name after "[ONNXRuntimeError]" in provider-bridge messages.
    /// </summary>
    public static string Reason(string message)
    {
        var line = FirstLine(message);
        if (line.StartsWith("[ErrorCode:", StringComparison.Ordinal) && line.IndexOf(']') is var close and > 0)
        {
            line = line[(close + 1)..].TrimStart();
        }

        // "<file>:<line> <function> [ONNXRuntimeError] : 1 : FAIL : reason", as the provider bridge reports a library
        // that will not load: keep the reason, which names the missing dependency.
        var marker = line.IndexOf(NativeStatusMarker, StringComparison.Ordinal);
        if (marker >= 0)
        {
            line = SkipFields(line[(marker + NativeStatusMarker.Length)..], 2);
        }

        // "Function_Name: reason": drop a leading identifier followed by ": ".
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        if (colon > 0 && !line.AsSpan(0, colon).ContainsAny(' ', '/', '\\'))
        {
            line = line[(colon + 2)..];
        }

        return line.Length == 0 ? "unknown error" : line;
    }

    // Drops the first count " : "-separated fields: "1 : FAIL : reason" becomes "reason" for 2.
    private static string SkipFields(string text, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var separator = text.IndexOf(" : ", StringComparison.Ordinal);
            if (separator < 0)
            {
                break;
            }

            text = text[(separator + 3)..];
        }

        return text;
    }
}
