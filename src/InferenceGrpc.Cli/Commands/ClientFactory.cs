using InferenceGrpc.Client;

namespace InferenceGrpc.Cli.Commands;

/// <summary>Makes the client for <c>--server</c>; tests pass one over an in-memory call invoker.</summary>
internal delegate InferenceClient ClientFactory(string server);
