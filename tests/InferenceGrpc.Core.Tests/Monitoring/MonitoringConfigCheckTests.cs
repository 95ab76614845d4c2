using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Monitoring.Capture;
using InferenceGrpc.Core.Monitoring.Drift;
using InferenceGrpc.Core.Monitoring.Shadow;
using InferenceGrpc.Core.Tensors;
using static InferenceGrpc.Core.Tests.Fakes.Specs;

namespace InferenceGrpc.Core.Tests.Monitoring;

/// <summary>The load-time checks of the capture.*, shadow.* and drift.* parameters.</summary>
public sealed class MonitoringConfigCheckTests
{
    private static readonly CaptureOptions CaptureOn = new() { Directory = "/captures" };

    private static ModelVersion Version(params (string Key, string Value)[] parameters) =>
        Capture.CaptureTestData.Version("m", [Tensor("IN", DataType.Fp32, -1)], [Tensor("OUT", DataType.Fp32, -1)], parameters);

    [Fact]
    public void Capture_UnknownKey_ThrowsNamingIt()
    {
        var ex = Assert.Throws<ModelConfigException>(() => new CaptureConfigCheck(CaptureOn).Check(Version(("capture.sampel_rate", "1"))));

        Assert.Contains("'capture.sampel_rate'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Capture_RuleForATensorTheModelLacks_Throws()
    {
        var ex = Assert.Throws<ModelConfigException>(() =>
            new CaptureConfigCheck(CaptureOn).Check(Version(("capture.sample_rate", "1"), ("capture.redact.NOPE", "drop"))));

        Assert.Contains("NOPE", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Capture_ServerWithoutCaptureDirectory_DoesNotCheck()
    {
        new CaptureConfigCheck(new CaptureOptions()).Check(Version(("capture.sampel_rate", "1")));
    }

    [Fact]
    public void Capture_ValidSettings_Pass()
    {
        new CaptureConfigCheck(CaptureOn).Check(Version(("capture.sample_rate", "0.5"), ("capture.redact.IN", "drop"), ("capture.encoding", "raw")));
    }

    [Theory]
    [InlineData("shadow.version", "2", "shadow.fraction")]
    [InlineData("shadow.fractoin", "0.5", "shadow.fractoin")]
    public void Shadow_MalformedSettings_ThrowNamingTheKey(string key, string value, string named)
    {
        var ex = Assert.Throws<ModelConfigException>(() => new ShadowConfigCheck().Check(Version((key, value))));

        Assert.Contains($"'{named}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shadow_ValidSettings_Pass()
    {
        new ShadowConfigCheck().Check(Version(("shadow.version", "2"), ("shadow.fraction", "0.25")));
    }

    [Theory]
    [InlineData("drift.windoe", "100", "unknown drift setting")]
    [InlineData("drift.sample_rate", "2", "expected a number in [0, 1]")]
    public void Drift_MalformedSettings_ThrowAConfigErrorNamingModelAndKey(string key, string value, string expected)
    {
        var ex = Assert.Throws<ModelConfigException>(() => new DriftConfigCheck(new DriftOptions()).Check(Version((key, value))));

        Assert.StartsWith("model 'm': parameter '" + key + "'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Drift_ValidSettings_Pass()
    {
        new DriftConfigCheck(new DriftOptions()).Check(Version(("drift.sample_rate", "0.5"), ("drift.window", "200")));
    }
}
