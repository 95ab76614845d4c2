using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Processors.Diagnostics;
using InferenceGrpc.Processors.Execution;
using Microsoft.Extensions.Logging;

namespace InferenceGrpc.Processors.Imaging;

/// <summary><c>backend: "image_preprocess"</c>: image files → a normalised NCHW tensor; configured by parameters only.</summary>
public sealed class ImagePreprocessBackend(ILogger<ImagePreprocessBackend> logger) : ProcessorBackend(Name)
{
    public const string Name = "image_preprocess";

    private protected override IModelRunner Create(ModelVersionSource source, ModelConfig config)
    {
        var s = ImageSettings.Read(config);
        ProcessorLog.ImagePreprocessLoaded(logger, config.Name, source.Version, s.InputName, 3, s.Height, s.Width, s.OutputName,
            s.Resize.ToString(), s.Bgr ? "BGR" : "RGB", s.MaxPixels);
        return new ImagePreprocessRunner(s, config.Name, logger);
    }
}
