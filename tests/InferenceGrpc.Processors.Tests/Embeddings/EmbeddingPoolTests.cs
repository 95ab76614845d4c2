using InferenceGrpc.Core.Models;
using InferenceGrpc.Processors.Tests.Infrastructure;
using static InferenceGrpc.Processors.Tests.Infrastructure.TensorValues;

namespace InferenceGrpc.Processors.Tests.Embeddings;

public sealed class EmbeddingPoolTests
{
    // Two rows of three tokens, H = 2. Row 0 attends to tokens 0 and 1; row 1 to token 2 only.
    private static readonly float[] Hidden = [1, 2, 3, 6, 100, 100, /* row 1 */ 7, 7, 7, 7, 3, -4];
    private static readonly long[] Mask = [1, 1, 0, 0, 0, 1];

    [Fact]
    public void Run_MeanOverMaskThenUnitLength()
    {
        using var pool = Stages.LoadFolder(Stages.Pool, SourceTree.PoolModel, ("pool.hidden_size", "-1"));

        var result = pool.Run([Fp32("last_hidden_state", [2, 3, 2], Hidden), Int64("attention_mask", [2, 3], Mask)], []);
        using var _ = result.Owner;

        // Row 0: mean (2, 4), norm sqrt(20). Row 1: (3, -4), norm 5.
        var root20 = MathF.Sqrt(20);
        Assert.Equal([2, 2], Output(result, "embedding").Shape);
        Assert.Equal([2 / root20, 4 / root20, 0.6f, -0.8f], Floats(Output(result, "embedding")), new Tolerance(1e-6f));
    }

    [Fact]
    public void Run_NormalizeOff_PlainMasked()
    {
        using var pool = Stages.Load(Stages.Pool, "pool", ("pool.normalize", "false"));

        var result = pool.Run([Fp32("last_hidden_state", [2, 3, 2], Hidden), Int64("attention_mask", [2, 3], Mask)], []);
        using var _ = result.Owner;

        Assert.Equal([2, 4, 3, -4], Floats(Output(result, "embedding")));
    }

    [Fact]
    public void Run_MaskAllZeros_ZeroVector()
    {
        using var pool = Stages.Load(Stages.Pool, "pool");

        var result = pool.Run([Fp32("last_hidden_state", [1, 2, 2], [1, 2, 3, 4]), Int64("attention_mask", [1, 2], [0, 0])], []);
        using var _ = result.Owner;

        Assert.Equal([0f, 0f], Floats(Output(result, "embedding")));
    }

    [Fact]
    public void Graph_FromConfig_HiddenSize384()
    {
        using var pool = Stages.LoadFolder(Stages.Pool, SourceTree.PoolModel);

        Assert.Equal([-1, -1, 384], pool.Graph.Inputs[0].Dims);
        Assert.Equal([-1, 384], Assert.Single(pool.Graph.Outputs).Dims);
    }

    [Fact]
    public void Load_SameNameForHiddenAndMask_ConfigError()
    {
        var ex = Assert.Throws<ModelConfigException>(() => Stages.Load(Stages.Pool, "pool", ("pool.mask_name", "last_hidden_state")));

        Assert.Contains("'pool.hidden_name' and 'pool.mask_name' must differ", ex.Message);
    }

    internal sealed class Tolerance(float epsilon) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= epsilon;

        public int GetHashCode(float obj) => 0;
    }
}
