using System.Buffers;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace InferenceGrpc.Processors.Imaging;

/// <summary>
/// One image file → one normalised CHW float tensor: decode (Skia: PNG, JPEG, WebP, GIF, BMP), fit into the target
/// size, then value = (pixel × scale − mean) / std per output channel. Pixels are decoded into pooled buffers; the
/// only per-image allocations are Skia's small handle objects.
/// </summary>
internal sealed class ImageTransform
{
    private readonly ImageSettings _settings;

    // (v × scale − mean[c]) / std[c] for every byte value v: one lookup per sample instead of a multiply and divide.
    private readonly float[][] _lookup;

    public ImageTransform(ImageSettings settings)
    {
        _settings = settings;
        _lookup = new float[3][];
        for (var c = 0; c < 3; c++)
        {
            _lookup[c] = new float[256];
            for (var v = 0; v < 256; v++)
            {
                _lookup[c][v] = ((v * settings.Scale) - settings.Mean[c]) / settings.Std[c];
            }
        }
    }

    /// <summary>Fills <paramref name="chw"/> (3 × height × width, zeroed by the caller) from an image file.</summary>
    /// <returns>Null on success, else why the file was refused.</returns>
    public string? Apply(ReadOnlySpan<byte> file, Span<float> chw)
    {
        if (file.IsEmpty)
        {
            return "it is empty, not an image file";
        }

        using var data = SKData.CreateCopy(file);
        using var codec = SKCodec.Create(data);
        if (codec is null)
        {
            return "it is not an image this server decodes (PNG, JPEG, WebP, GIF or BMP)";
        }

        var (w, h) = (codec.Info.Width, codec.Info.Height);
        if (w <= 0 || h <= 0 || (long)w * h > _settings.MaxPixels)
        {
            return $"it is {w}x{h} ({(long)w * h} pixels), above the {_settings.MaxPixels} this model decodes (image.max_pixels)";
        }

        // Premultiplied RGBA: a transparent pixel counts as black, whatever colour it stores.
        var info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul);
        var pixels = ArrayPool<byte>.Shared.Rent(info.BytesSize);
        try
        {
            var result = DecodeInto(codec, info, pixels);
            if (result != SKCodecResult.Success)
            {
                return $"its pixels could not be decoded ({result})";
            }

            var (srcRect, drawnWidth) = Fit(w, h);
            if (srcRect == SKRect.Create(w, h) && drawnWidth == w && h == _settings.Height)
            {
                Normalise(pixels.AsSpan(0, info.BytesSize), w, chw);   // already the size: no resampling
                return null;
            }

            var target = new SKImageInfo(_settings.Width, _settings.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
            var resized = ArrayPool<byte>.Shared.Rent(target.BytesSize);
            try
            {
                Resample(info, pixels, srcRect, target, resized, drawnWidth);
                Normalise(resized.AsSpan(0, target.BytesSize), drawnWidth, chw);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(resized);
            }

            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(pixels);
        }
    }

    private static unsafe SKCodecResult DecodeInto(SKCodec codec, SKImageInfo info, byte[] pixels)
    {
        fixed (byte* p = pixels)
        {
            return codec.GetPixels(info, (IntPtr)p);
        }
    }

    /// <summary>The part of the source drawn, and the width it is drawn to (the rest, if any, is padding).</summary>
    private (SKRect Source, int DrawnWidth) Fit(int w, int h)
    {
        var (tw, th) = (_settings.Width, _settings.Height);
        switch (_settings.Resize)
        {
            case ResizeMode.PadRight:
                // PaddleOCR: resized_w = min(ceil(H × w / h), W).
                var scaled = Math.Ceiling(th * (w / (double)h));
                return (SKRect.Create(w, h), scaled > tw ? tw : (int)scaled);
            case ResizeMode.CropCenter:
                var s = _settings.ShorterSide / (double)Math.Min(w, h);
                var (sw, sh) = (Math.Max(tw, Math.Round(w * s)), Math.Max(th, Math.Round(h * s)));
                var (x0, y0) = ((sw - tw) / 2, (sh - th) / 2);
                var (fx, fy) = (w / sw, h / sh);
                return (new SKRect((float)(x0 * fx), (float)(y0 * fy), (float)((x0 + tw) * fx), (float)((y0 + th) * fy)), tw);
            default:
                return (SKRect.Create(w, h), tw);
        }
    }

    private unsafe void Resample(SKImageInfo info, byte[] pixels, SKRect source, SKImageInfo target, byte[] resized, int drawnWidth)
    {
        fixed (byte* src = pixels)
        fixed (byte* dst = resized)
        {
            using var pixmap = new SKPixmap(info, (IntPtr)src, info.RowBytes);
            using var image = SKImage.FromPixels(pixmap);
            using var surface = SKSurface.Create(target, (IntPtr)dst, target.RowBytes);
            surface.Canvas.Clear(SKColors.Transparent);

            // Bilinear without mipmaps, as OpenCV's INTER_LINEAR and PIL's BILINEAR (upscaling) that models were trained with.
            using var paint = new SKPaint { BlendMode = SKBlendMode.Src };
            surface.Canvas.DrawImage(image, source, SKRect.Create(drawnWidth, target.Height), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None), paint);
            surface.Canvas.Flush();
        }
    }

    /// <summary>RGBA rows of <paramref name="stride"/> pixels → planar channels; columns at or past <paramref name="drawnWidth"/> stay 0.</summary>
    private void Normalise(ReadOnlySpan<byte> rgba, int drawnWidth, Span<float> chw)
    {
        var (w, h) = (_settings.Width, _settings.Height);
        var stride = rgba.Length / (4 * h);
        var plane = w * h;
        var (first, third) = _settings.Bgr ? (2, 0) : (0, 2);
        var (l0, l1, l2) = (_lookup[0], _lookup[1], _lookup[2]);
        var pixels = MemoryMarshal.Cast<byte, uint>(rgba);
        for (var y = 0; y < h; y++)
        {
            var row = pixels.Slice(y * stride, drawnWidth);
            var o = y * w;
            for (var x = 0; x < row.Length; x++, o++)
            {
                var px = row[x];   // little-endian RGBA: R in the low byte
                chw[o] = l0[(byte)(px >> (8 * first))];
                chw[plane + o] = l1[(byte)(px >> 8)];
                chw[(2 * plane) + o] = l2[(byte)(px >> (8 * third))];
            }
        }
    }
}
