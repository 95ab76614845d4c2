namespace InferenceGrpc.LoadGen.Commands;

internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>A flag or input file is wrong.</summary>
    public const int BadArguments = 2;

    /// <summary>The server did not answer ModelMetadata for the model in time.</summary>
    public const int NotReady = 3;

    /// <summary>The first request failed: the payload does not suit the model, so measuring would only count errors.</summary>
    public const int ProbeFailed = 4;
}
