namespace InferenceGrpc.EndToEnd.Tests.Infrastructure;

/// <summary>Deterministic model inputs: the same seed gives the same images in the test and in its reference.</summary>
internal static class RandomImages
{
    /// <summary><paramref name="count"/> images of [3, 48, 192], uniform in [-1, 1) as the model's preprocessing yields.</summary>
    public static float[] Create(int seed, int count)
    {
        var random = new Random(seed);
        var values = new float[count * ReferenceModel.ImageSize];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return values;
    }
}
