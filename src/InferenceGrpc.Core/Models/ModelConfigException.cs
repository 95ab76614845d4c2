namespace InferenceGrpc.Core.Models;

/// <summary>A model's configuration or files are unusable; the message says which field and why.</summary>
public sealed class ModelConfigException(string message) : Exception(message);
