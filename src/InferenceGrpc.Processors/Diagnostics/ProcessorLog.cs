using Microsoft.Extensions.Logging;

namespace InferenceGrpc.Processors.Diagnostics;

/// <summary>Log events of the built-in processors (ids 850-899).</summary>
internal static partial class ProcessorLog
{
    [LoggerMessage(850, LogLevel.Information, "Model '{Model}' version {Version}: {Kind} tokenizer over {Vocabulary} ({Tokens} tokens), max_length {MaxLength}, input '{Input}'", EventName = "TokenizerLoaded")]
    public static partial void TokenizerLoaded(ILogger logger, string model, long version, string kind, string vocabulary, int tokens, int maxLength, string input);

    [LoggerMessage(851, LogLevel.Information, "Model '{Model}' version {Version}: mean pooling of '{Hidden}' over '{Mask}' into '{Output}' (normalize {Normalize})", EventName = "PoolingLoaded")]
    public static partial void PoolingLoaded(ILogger logger, string model, long version, string hidden, string mask, string output, bool normalize);

    [LoggerMessage(852, LogLevel.Information, "Model '{Model}' version {Version}: images of '{Input}' to {Channels}x{Height}x{Width} '{Output}' ({Resize}, {Order}), at most {MaxPixels} decoded pixels", EventName = "ImagePreprocessLoaded")]
    public static partial void ImagePreprocessLoaded(ILogger logger, string model, long version, string input, int channels, int height, int width, string output, string resize, string order, long maxPixels);

    [LoggerMessage(853, LogLevel.Debug, "Model '{Model}': refused element {Row} of input '{Input}': {Reason}", EventName = "ImageRefused")]
    public static partial void ImageRefused(ILogger logger, string model, string input, int row, string reason);
}
