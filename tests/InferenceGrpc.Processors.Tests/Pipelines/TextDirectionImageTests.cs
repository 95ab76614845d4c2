using InferenceGrpc.Processors.Tests.Infrastructure;
using static InferenceGrpc.Processors.Tests.Infrastructure.TensorValues;

namespace InferenceGrpc.Processors.Tests.Pipelines;

/// <summary>The image example in process: text_direction_preprocess → text_direction, as text_direction_image chains them.</summary>
public sealed class TextDirectionImageTests
{
    [Theory]
    [InlineData("sample_upright.png", "sample_upright.npy", 0, 0.002f)]
    [InlineData("sample_upright.jpg", "sample_upright.npy", 0, 0.05f)]
    [InlineData("sample_rotated.png", "sample_rotated.npy", 1, 0.002f)]
    [InlineData("sample_rotated.jpg", "sample_rotated.npy", 1, 0.05f)]
    public void Classify_SampleImage_ScoresAsTheSampleTensor(string file, string npy, int label, float tolerance)
    {
        using var preprocess = Stages.LoadFolder(Stages.Image, SourceTree.TextDirectionPreprocess);
        using var model = OnnxStages.Load(SourceTree.TextDirection);

        var pixels = preprocess.Run([Stages.Bytes("image", File.ReadAllBytes(Path.Combine(SourceTree.TextDirectionImage, file)))], []);
        using var _ = pixels.Owner;
        var scores = model.Run([AsInput(Output(pixels, "pixels"), "x")], ["softmax_0.tmp_0"]);
        using var __ = scores.Owner;

        var (shape, tensor) = ReadNpy(Path.Combine(SourceTree.TextDirection, npy));
        var reference = model.Run([Fp32("x", shape, tensor)], ["softmax_0.tmp_0"]);
        using var ___ = reference.Owner;

        // The image files are the sample tensors de-normalised (JPEG lossy): same class, near-same scores.
        var probabilities = Floats(scores.Outputs[0]);
        var expected = Floats(reference.Outputs[0]);
        Assert.Equal(label, Array.IndexOf(expected, expected.Max()));
        Assert.Equal(label, Array.IndexOf(probabilities, probabilities.Max()));
        Assert.All(probabilities.Zip(expected), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, tolerance));
        Assert.Equal(["0", "180"], File.ReadAllLines(Path.Combine(SourceTree.TextDirectionImage, "labels.txt")));
    }
}
