using System.Runtime.InteropServices;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Monitoring;
using InferenceGrpc.Core.Monitoring.Shadow;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Tests.Monitoring.Shadow;

public sealed class ShadowComparisonTests
{
    private static CopiedTensor Primary<T>(string name, DataType type, long[] shape, params T[] values)
        where T : struct => new(name, type, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    private static OutputTensor Candidate<T>(string name, DataType type, long[] shape, params T[] values)
        where T : struct => new(name, type, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    [Fact]
    public void Compare_Int64Scores_MaxAbsDifferenceAndArgmaxPerRow()
    {
        var result = Assert.Single(OutputComparison.Compare(
            [Primary("S", DataType.Int64, [2, 2], 1L, 9L, 4L, 2L)],
            [Candidate("S", DataType.Int64, [2, 2], 1L, 6L, 1L, 2L)]));

        Assert.Equal(new OutputComparison("S", false, 3, 2, 1), result);
    }

    [Fact]
    public void Compare_SingleColumn_HasNoArgmaxRows()
    {
        var result = Assert.Single(OutputComparison.Compare(
            [Primary("P", DataType.Fp64, [2, 1], 0.5, 0.25)],
            [Candidate("P", DataType.Fp64, [2, 1], 0.5, 0.25)]));

        Assert.Equal(new OutputComparison("P", true, 0, 0, 0), result);
    }

    [Fact]
    public void Compare_ShapeDiffersOrOutputMissing_IsDifferentWithoutADifference()
    {
        var results = OutputComparison.Compare(
            [Primary("A", DataType.Fp32, [1, 2], 1f, 2f), Primary("B", DataType.Fp32, [1], 1f)],
            [Candidate("A", DataType.Fp32, [2, 1], 1f, 2f)]);

        Assert.Equal([new OutputComparison("A", false, null, 0, 0), new OutputComparison("B", false, null, 0, 0)], results);
    }

    [Fact]
    public void Compare_Bytes_IsExactEquality()
    {
        var primary = new CopiedTensor("T", DataType.Bytes, [2], BytesTensor.Encode(["a"u8.ToArray(), "b"u8.ToArray()]));

        var same = OutputComparison.Compare([primary], [new OutputTensor("T", DataType.Bytes, [2], BytesTensor.Encode(["a"u8.ToArray(), "b"u8.ToArray()]))]);
        var other = OutputComparison.Compare([primary], [new OutputTensor("T", DataType.Bytes, [2], BytesTensor.Encode(["a"u8.ToArray(), "c"u8.ToArray()]))]);

        Assert.Equal(new OutputComparison("T", true, null, 0, 0), Assert.Single(same));
        Assert.Equal(new OutputComparison("T", false, null, 0, 0), Assert.Single(other));
    }
}

public sealed class ShadowSettingsTests
{
    private static ModelVersion Version(long version, params (string Key, string Value)[] parameters) =>
        ModelVersion.Loading("m", version, new ModelConfig { Name = "m", Parameters = parameters.ToDictionary(p => p.Key, p => p.Value) });

    [Fact]
    public void Parse_VersionAndFraction_NameThePair()
    {
        var settings = ShadowSettings.Parse(Version(2, ("shadow.version", "1"), ("shadow.fraction", "0.5")))!;

        Assert.Equal((2L, 1L, 0.5), (settings.Primary, settings.Candidate, settings.Fraction));
    }

    [Fact]
    public void Parse_TheCandidateItself_MirrorsNothing() =>
        Assert.Null(ShadowSettings.Parse(Version(1, ("shadow.version", "1"), ("shadow.fraction", "1"))));

    [Theory]
    [InlineData("shadow.version", "1", "'shadow.fraction' expected to be set along with shadow.version")]
    [InlineData("shadow.fraction", "1", "'shadow.version' expected to be set along with shadow.fraction")]
    [InlineData("shadow.versoin", "1", "'shadow.versoin' expected shadow.version or shadow.fraction")]
    public void Parse_IncompleteOrUnknown_ThrowsNamingTheKey(string key, string value, string message)
    {
        var ex = Assert.Throws<ModelConfigException>(() => ShadowSettings.Parse(Version(2, (key, value))));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", "1", "'shadow.version' expected a whole number of at least 1, got '0'")]
    [InlineData("1", "-0.1", "'shadow.fraction' expected a number in 0..1, got '-0.1'")]
    public void Parse_OutOfRange_ThrowsNamingKeyExpectedAndGot(string version, string fraction, string message)
    {
        var ex = Assert.Throws<ModelConfigException>(() => ShadowSettings.Parse(Version(2, ("shadow.version", version), ("shadow.fraction", fraction))));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }
}
