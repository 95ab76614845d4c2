namespace InferenceGrpc.Cli.Inputs;

/// <summary>The input file cannot be turned into a request; the message says what is wrong and where.</summary>
internal sealed class InputFileException(string message) : Exception(message);
