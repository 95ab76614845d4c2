using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Processors.Tests.Infrastructure;
using static InferenceGrpc.Processors.Tests.Infrastructure.TensorValues;

namespace InferenceGrpc.Processors.Tests.Imaging;

/// <summary>
/// Image preprocessing against tensors computed here by formula, from PNGs written by this test's own encoder, so the
/// expected values do not come from the imaging library under test.
/// </summary>
public sealed class ImagePreprocessTests
{
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    private static IModelRunner Load(int width, int height, params (string Key, string Value)[] more) =>
        Stages.Load(Stages.Image, "img",
        [
            ("image.width", width.ToString()), ("image.height", height.ToString()),
            ("image.mean", "0.485,0.456,0.406"), ("image.std", "0.229,0.224,0.225"), .. more,
        ]);

    private static float Expected(byte value, int channel) => ((value * (1f / 255f)) - Mean[channel]) / Std[channel];

    private static float[] Run(IModelRunner runner, params byte[][] files)
    {
        var result = runner.Run([Stages.Bytes("image", files)], []);
        using var _ = result.Owner;
        return Floats(Output(result, "pixels"));
    }

    [Theory]
    [InlineData("rgb")]
    [InlineData("bgr")]
    public void Run_PngAtTargetSize_EachValueIsTheFormulaOfItsPixel(string order)
    {
        // 4x2 pixels, every channel value distinct: pixel i has (10i, 10i + 1, 10i + 2) ... as bytes.
        var rgb = Enumerable.Range(0, 8).SelectMany(i => new[] { (byte)(30 * i), (byte)((30 * i) + 7), (byte)(255 - (30 * i)) }).ToArray();
        using var runner = Load(4, 2, ("image.channel_order", order));

        var values = Run(runner, TestPng.Encode(4, 2, rgb));

        Assert.Equal(3 * 2 * 4, values.Length);
        for (var c = 0; c < 3; c++)
        {
            var source = order == "bgr" ? 2 - c : c;
            for (var p = 0; p < 8; p++)
            {
                Assert.Equal(Expected(rgb[(p * 3) + source], c), values[(c * 8) + p], 6);
            }
        }
    }

    [Fact]
    public void Run_PadRight_KeepsAspectToHeightAndLeavesZerosRight()
    {
        // 2 wide x 4 high into 8 x 4: ceil(4 * 2/4) = 2 columns of image, 6 columns of padding (0 after normalisation).
        var rgb = TestPng.Solid(2, 4, 200, 100, 50);
        using var runner = Load(8, 4, ("image.resize", "pad_right"));

        var values = Run(runner, TestPng.Encode(2, 4, rgb));

        for (var c = 0; c < 3; c++)
        {
            for (var y = 0; y < 4; y++)
            {
                for (var x = 0; x < 8; x++)
                {
                    var expected = x < 2 ? Expected(new byte[] { 200, 100, 50 }[c], c) : 0f;
                    Assert.Equal(expected, values[(c * 32) + (y * 8) + x], 5);
                }
            }
        }
    }

    [Fact]
    public void Run_PadRight_WideImageScaledToHeightAndCappedAtWidth()
    {
        // 40 x 2 into 8 x 4: ceil(4 * 20) = 80 > 8, so the image is stretched over all 8 columns, no padding.
        using var runner = Load(8, 4, ("image.resize", "pad_right"));

        var values = Run(runner, TestPng.Encode(40, 2, TestPng.Solid(40, 2, 0, 255, 128)));

        Assert.All(values[..32], v => Assert.Equal(Expected(0, 0), v, 5));
        Assert.All(values[32..64], v => Assert.Equal(Expected(255, 1), v, 5));
        Assert.All(values[64..], v => Assert.Equal(Expected(128, 2), v, 5));
    }

    [Fact]
    public void Run_Stretch_SolidColourStaysThatColour()
    {
        using var runner = Load(5, 3);

        var values = Run(runner, TestPng.Encode(17, 11, TestPng.Solid(17, 11, 12, 34, 56)));

        Assert.Equal(45, values.Length);
        Assert.All(values[..15], v => Assert.Equal(Expected(12, 0), v, 5));
        Assert.All(values[30..], v => Assert.Equal(Expected(56, 2), v, 5));
    }

    [Fact]
    public void Run_CropCenter_CutsTheMiddleAfterScalingTheShorterSide()
    {
        // 8 x 4, left half black, right half white; shorter side 4 (scale 1), crop 4 x 4 from x = 2: two black, two white columns.
        var rgb = Enumerable.Range(0, 32).SelectMany(i => i % 8 < 4 ? new byte[] { 0, 0, 0 } : [255, 255, 255]).ToArray();
        using var runner = Load(4, 4, ("image.resize", "crop_center"), ("image.shorter_side", "4"));

        var values = Run(runner, TestPng.Encode(8, 4, rgb));

        float[] row = [Expected(0, 0), Expected(0, 0), Expected(255, 0), Expected(255, 0)];
        for (var y = 0; y < 4; y++)
        {
            Assert.Equal(row, values.AsSpan(y * 4, 4).ToArray(), new Embeddings.EmbeddingPoolTests.Tolerance(1e-4f));
        }
    }

    [Fact]
    public void Run_TextDirectionSamplePng_ReproducesTheSampleTensor()
    {
        using var runner = Stages.LoadFolder(Stages.Image, SourceTree.TextDirectionPreprocess);
        var (shape, expected) = ReadNpy(Path.Combine(SourceTree.TextDirection, "sample_upright.npy"));

        var result = runner.Run([Stages.Bytes("image", File.ReadAllBytes(Path.Combine(SourceTree.TextDirectionImage, "sample_upright.png")))], []);
        using var _ = result.Owner;

        Assert.Equal(shape, Output(result, "pixels").Shape);
        var actual = Floats(Output(result, "pixels"));
        // The PNG holds the sample rounded to bytes: each value within half a grey level, (0.5 / 255) / 0.5.
        Assert.All(actual.Zip(expected), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, (1f / 255f) + 1e-6f));
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3, 4 }, "not an image this server decodes")]
    [InlineData(new byte[0], "empty")]
    public void Run_UndecodableElement_InvalidArgumentNamingInputAndRow(byte[] bad, string reason)
    {
        using var runner = Load(4, 4);
        var good = TestPng.Encode(2, 2, TestPng.Solid(2, 2, 1, 2, 3));

        var ex = Assert.Throws<InferenceException>(() => runner.Run([Stages.Bytes("image", good, good, bad)], []));

        Assert.Equal(InferenceErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("input 'image' element 2", ex.Message);
        Assert.Contains(reason, ex.Message);
    }

    [Fact]
    public void Run_TruncatedPng_InvalidArgument()
    {
        using var runner = Load(4, 4);
        var png = TestPng.Encode(64, 64, TestPng.Solid(64, 64, 9, 9, 9));

        var ex = Assert.Throws<InferenceException>(() => runner.Run([Stages.Bytes("image", png[..(png.Length / 2)])], []));

        Assert.Equal(InferenceErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("input 'image' element 0", ex.Message);
    }

    [Fact]
    public void Run_HeaderDeclaresHugeImage_RefusedBeforeDecoding()
    {
        // A decompression bomb's shape: 100000 x 100000 declared, a few bytes of data.
        using var runner = Load(4, 4, ("image.max_pixels", "1000000"));
        var bomb = TestPng.WithIdat(100_000, 100_000, TestPng.Compress(new byte[1024]));

        var ex = Assert.Throws<InferenceException>(() => runner.Run([Stages.Bytes("image", bomb)], []));

        Assert.Equal(InferenceErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("100000x100000", ex.Message);
        Assert.Contains("image.max_pixels", ex.Message);
    }

    [Theory]
    [InlineData("image.resize", "squash", "parameter 'image.resize' must be one of 'stretch', 'crop_center', 'pad_right', got 'squash'")]
    [InlineData("image.mean", "0.5,0.5", "parameter 'image.mean' must be 3 comma-separated finite numbers, got '0.5,0.5'")]
    [InlineData("image.std", "1,0,1", "parameter 'image.std' must be 3 comma-separated finite numbers above 0, got '1,0,1'")]
    [InlineData("image.channel_order", "grb", "parameter 'image.channel_order' must be one of 'rgb', 'bgr', got 'grb'")]
    public void Load_BadParameter_ConfigErrorNamingKeyExpectedAndGot(string key, string value, string message)
    {
        var ex = Assert.Throws<ModelConfigException>(() => Load(4, 4, (key, value)));

        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void Load_NoSize_ConfigErrorNamingBothKeys()
    {
        var ex = Assert.Throws<ModelConfigException>(() => Stages.Load(Stages.Image, "img"));

        Assert.Contains("parameters 'image.width' and 'image.height' are required", ex.Message);
    }

    [Fact]
    public void CreateWarmUpInputs_AreImagesTheRunnerAccepts_GreyAtEveryPixel()
    {
        var runner = Load(6, 4);
        var signature = new ModelSignature(8, [], []);

        var inputs = runner.CreateWarmUpInputs(signature, 3);

        Assert.NotNull(inputs);
        var input = Assert.Single(inputs);
        Assert.Equal([3L, 1L], input.Shape);
        var result = runner.Run(inputs, []);
        using var _ = result.Owner;
        var values = Floats(Output(result, "pixels"));
        Assert.Equal(3 * 3 * 4 * 6, values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            var channel = i / (4 * 6) % 3;
            Assert.Equal(Expected(128, channel), values[i], 1e-5f);
        }
    }
}
