using System.Diagnostics.CodeAnalysis;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Inference;

/// <summary>
/// A request that cannot be served, with a message meant for the caller: it names the model or input, what was
/// expected and what came. It never contains tensor data or backend internals.
/// </summary>
public sealed class InferenceException : Exception
{
    public InferenceException(InferenceErrorKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
    }

    public InferenceErrorKind Kind { get; }

    [DoesNotReturn]
    public static void ThrowInvalid(string message) => throw new InferenceException(InferenceErrorKind.InvalidArgument, message);

    [DoesNotReturn]
    public static void ThrowInputInvalid(string model, string input, string problem) =>
        throw new InferenceException(InferenceErrorKind.InvalidArgument, $"model '{model}', input '{input}': {problem}");

    public static InferenceException ModelNotFound(string model) =>
        new(InferenceErrorKind.NotFound, $"model '{model}' is not in the model repository");

    public static InferenceException VersionNotFound(string model, string version, IEnumerable<long> available) =>
        new(InferenceErrorKind.NotFound,
            $"model '{model}' has no version '{version}'; available versions: [{string.Join(",", available)}]");

    public static InferenceException NotReady(string model, long version, string state, string? reason) =>
        new(InferenceErrorKind.Unavailable,
            $"model '{model}' version {version} is not ready (state {state}{(string.IsNullOrEmpty(reason) ? "" : ": " + reason)})");

    public static string DescribeShape(ReadOnlySpan<long> shape) => TensorShape.Format(shape);
}
