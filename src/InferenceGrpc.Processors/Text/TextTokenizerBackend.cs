using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Processors.Diagnostics;
using InferenceGrpc.Processors.Execution;
using Microsoft.Extensions.Logging;

namespace InferenceGrpc.Processors.Text;

/// <summary>
/// <c>backend: "text_tokenizer"</c>: text → token ids with the version folder's vocabulary (WordPiece vocab.txt or
/// BPE vocab.json + merges.txt). The vocabulary is found by itself, so no model.onnx is needed; naming it in
/// <c>default_model_filename</c> makes poll mode reload the version when it changes.
/// </summary>
public sealed class TextTokenizerBackend(ILogger<TextTokenizerBackend> logger) : ProcessorBackend(Name)
{
    public const string Name = "text_tokenizer";

    private protected override IModelRunner Create(ModelVersionSource source, ModelConfig config)
    {
        var settings = TokenizerSettings.Read(config);
        var encoder = TextEncoder.Load(source, config, settings);
        ProcessorLog.TokenizerLoaded(logger, config.Name, source.Version, encoder.Kind, encoder.VocabularyPath, encoder.VocabularySize, settings.MaxLength, settings.InputName);
        return new TextTokenizerRunner(encoder, settings);
    }
}
