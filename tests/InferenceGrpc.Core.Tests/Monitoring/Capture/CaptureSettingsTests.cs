using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Monitoring.Capture;
using InferenceGrpc.Core.Tensors;
using static InferenceGrpc.Core.Tests.Fakes.Specs;

namespace InferenceGrpc.Core.Tests.Monitoring.Capture;

public sealed class CaptureSettingsTests
{
    private static readonly CaptureOptions Options = new() { Directory = "/captures", Salt = "s", MaxFileBytes = 100, MaxTotalBytes = 1000 };

    private static ModelVersion Version(params (string Key, string Value)[] parameters) =>
        CaptureTestData.Version("m", [Tensor("IN", DataType.Fp32, -1)], [Tensor("OUT", DataType.Fp32, -1)], parameters);

    [Fact]
    public void Parse_NoSampleRate_IsOff() => Assert.Null(CaptureSettings.Parse(Version(), Options));

    [Fact]
    public void Parse_Limits_DefaultToTheServerOptionsAndModelValuesWin()
    {
        var defaults = CaptureSettings.Parse(Version(("capture.sample_rate", "0.5")), Options)!;
        var own = CaptureSettings.Parse(Version(("capture.sample_rate", "0.5"), ("capture.max_file_bytes", "10"), ("capture.max_total_bytes", "30")), Options)!;

        Assert.Equal((0.5, 100L, 1000L), (defaults.SampleRate, defaults.MaxFileBytes, defaults.MaxTotalBytes));
        Assert.Equal((10L, 30L), (own.MaxFileBytes, own.MaxTotalBytes));
    }

    [Theory]
    [InlineData("capture.sample_rate", "1.5", "a number in 0..1")]
    [InlineData("capture.sample_rate", "often", "a number in 0..1")]
    [InlineData("capture.max_file_bytes", "0", "at least 1")]
    [InlineData("capture.redact.IN", "mask", "'drop', 'hash' or 'keep'")]
    [InlineData("capture.redact.NOPE", "drop", "inputs or outputs")]
    [InlineData("capture.sampel_rate", "1", "one of capture.sample_rate")]
    [InlineData("capture.encoding", "parquet", "'json' (numbers as JSON numbers, the default) or 'raw'")]
    public void Parse_MalformedParameter_ThrowsNamingKeyExpectedAndGot(string key, string value, string expected)
    {
        var ex = Assert.Throws<ModelConfigException>(() => CaptureSettings.Parse(Version(("capture.sample_rate", "1"), (key, value)), Options));

        Assert.Contains($"'{key}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("json", false)]
    [InlineData("raw", true)]
    public void Parse_Encoding_RawOnlyWhenAskedFor(string? encoding, bool raw)
    {
        (string, string)[] parameters = encoding is null ? [("capture.sample_rate", "1")] : [("capture.sample_rate", "1"), ("capture.encoding", encoding)];

        Assert.Equal(raw, CaptureSettings.Parse(Version(parameters), Options)!.RawNumbers);
    }

    [Fact]
    public void Parse_TotalCapBelowTheFileSize_Throws()
    {
        var ex = Assert.Throws<ModelConfigException>(() =>
            CaptureSettings.Parse(Version(("capture.sample_rate", "1"), ("capture.max_file_bytes", "50"), ("capture.max_total_bytes", "40")), Options));

        Assert.Contains("'capture.max_total_bytes' expected a whole number of at least 50, got '40'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_HashWithoutSalt_Throws()
    {
        var unsalted = new CaptureOptions { Directory = "/captures" };

        var ex = Assert.Throws<ModelConfigException>(() => CaptureSettings.Parse(Version(("capture.sample_rate", "1"), ("capture.redact.IN", "hash")), unsalted));

        Assert.Contains("Capture:Salt", ex.Message, StringComparison.Ordinal);
    }
}
