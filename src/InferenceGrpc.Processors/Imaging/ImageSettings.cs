using InferenceGrpc.Core.Models;
using InferenceGrpc.Processors.Configuration;

namespace InferenceGrpc.Processors.Imaging;

/// <summary>How an image is fitted into the output's height × width.</summary>
internal enum ResizeMode
{
    /// <summary>Scale each axis to the target; the aspect ratio is not kept.</summary>
    Stretch,

    /// <summary>Scale so the shorter side is <c>image.shorter_side</c>, then cut the centre (torchvision's Resize + CenterCrop).</summary>
    CropCenter,

    /// <summary>
    /// Scale to the target height keeping the aspect ratio, width rounded up and at most the target width; the columns
    /// right of it are 0 after normalisation (PaddleOCR's text classifier and recogniser).
    /// </summary>
    PadRight,
}

/// <summary>The <c>image.*</c> parameters of an <c>image_preprocess</c> model, parsed and checked at load.</summary>
internal sealed record ImageSettings
{
    public const string Prefix = "image.";

    public required string InputName { get; init; }

    public required string OutputName { get; init; }

    public required int Width { get; init; }

    public required int Height { get; init; }

    public ResizeMode Resize { get; init; } = ResizeMode.Stretch;

    /// <summary>CropCenter: the shorter side after scaling, before the crop.</summary>
    public int ShorterSide { get; init; }

    /// <summary>Output channel 0 is blue when true (OpenCV-trained models), red otherwise.</summary>
    public bool Bgr { get; init; }

    /// <summary>value = (pixel × scale − mean[c]) / std[c], with c the output channel.</summary>
    public float Scale { get; init; } = 1f / 255f;

    public float[] Mean { get; init; } = [0f, 0f, 0f];

    public float[] Std { get; init; } = [1f, 1f, 1f];

    /// <summary>Images declaring more pixels than this are refused before any decoding (decompression bombs).</summary>
    public long MaxPixels { get; init; } = 4096L * 4096L;

    public static ImageSettings Read(ModelConfig config)
    {
        var p = new ProcessorParameters(config, Prefix);
        var width = p.Int("width", 0, 1, 8192);
        var height = p.Int("height", 0, 1, 8192);
        if (p.Raw("width") is null || p.Raw("height") is null)
        {
            p.Error($"parameters '{Prefix}width' and '{Prefix}height' are required (the output's pixel size)");
        }

        var resize = p.Choice("resize", "stretch", "stretch", "crop_center", "pad_right") switch
        {
            "crop_center" => ResizeMode.CropCenter,
            "pad_right" => ResizeMode.PadRight,
            _ => ResizeMode.Stretch,
        };
        var settings = new ImageSettings
        {
            InputName = p.Name("input_name", "image"),
            OutputName = p.Name("output_name", "pixels"),
            Width = width,
            Height = height,
            Resize = resize,
            ShorterSide = p.Int("shorter_side", Math.Max(width, height), 1, 8192),
            Bgr = p.Choice("channel_order", "rgb", "rgb", "bgr") == "bgr",
            Scale = p.Float("scale", 1f / 255f, positive: true),
            Mean = p.Floats("mean", [0f, 0f, 0f], 3),
            Std = p.Floats("std", [1f, 1f, 1f], 3, positive: true),
            MaxPixels = p.Long("max_pixels", 4096L * 4096L, 1, 1L << 30),
        };
        if (resize == ResizeMode.CropCenter && settings.ShorterSide < Math.Max(width, height))
        {
            p.Error($"parameter '{Prefix}shorter_side' must be at least the larger of width and height ({Math.Max(width, height)}) to crop {width}x{height}, got '{settings.ShorterSide}'");
        }

        p.ThrowIfInvalid();
        return settings;
    }
}
