namespace InferenceGrpc.Cli.Commands;

internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The call failed: an RPC error from the server or the transport, or an unreadable response.</summary>
    public const int CallFailed = 1;

    /// <summary>The command could not be sent: a bad input file or a bad option value.</summary>
    public const int BadInput = 2;

    /// <summary><c>batch</c> finished, but some rows failed: they are listed in the errors file.</summary>
    public const int RowsFailed = 3;

    /// <summary><c>batch</c> was interrupted (Ctrl+C); its checkpoint is saved, so <c>--resume</c> continues it.</summary>
    public const int Interrupted = 130;
}
