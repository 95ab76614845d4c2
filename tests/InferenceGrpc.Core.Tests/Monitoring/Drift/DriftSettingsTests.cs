using InferenceGrpc.Core.Monitoring.Drift;

namespace InferenceGrpc.Core.Tests.Monitoring.Drift;

public sealed class DriftSettingsTests
{
    [Fact]
    public void Resolve_NoParameters_TakesTheServerDefaults()
    {
        var s = DriftSettings.Resolve(new Dictionary<string, string>(), new DriftOptions());

        Assert.Equal(new DriftSettings(true, 0.1, 1000, 100, 32, 0.2, 0.1, 0.05, 0.05), s);
    }

    [Fact]
    public void Resolve_Parameters_OverrideTheDefaults()
    {
        var s = DriftSettings.Resolve(new Dictionary<string, string>
        {
            ["drift.sample_rate"] = "1",
            ["drift.window"] = "200",
            ["drift.min_samples"] = "50",
            ["drift.max_features"] = "4",
            ["drift.psi_threshold"] = "0.25",
            ["drift.ks_threshold"] = "0.2",
            ["drift.nan_threshold"] = "0",
            ["drift.out_of_range_threshold"] = "0.5",
            ["drift.enabled"] = "false",
            ["intra_op_thread_count"] = "2",   // another feature's key: not ours to judge
        }, new DriftOptions());

        Assert.Equal(new DriftSettings(false, 1, 200, 50, 4, 0.25, 0.2, 0, 0.5), s);
    }

    [Fact]
    public void Resolve_SmallWindow_ClampsTheDefaultMinSamplesToIt()
    {
        var s = DriftSettings.Resolve(new Dictionary<string, string> { ["drift.window"] = "20" }, new DriftOptions());

        Assert.Equal(20, s.MinSamples);
    }

    [Theory]
    [InlineData("drift.sample_rate", "1.5", "parameter 'drift.sample_rate': expected a number in [0, 1], got '1.5'")]
    [InlineData("drift.window", "ten", "parameter 'drift.window': expected an integer in 10..1000000, got 'ten'")]
    [InlineData("drift.psi_threshold", "0", "parameter 'drift.psi_threshold': expected a number in (0, 100], got '0'")]
    [InlineData("drift.enabled", "yes", "parameter 'drift.enabled': expected true or false, got 'yes'")]
    [InlineData("drift.windw", "10", "parameter 'drift.windw': unknown drift setting")]
    public void Resolve_BadValue_ThrowsNamingKeyExpectedAndGot(string key, string value, string message)
    {
        var ex = Assert.Throws<DriftBaselineException>(() =>
            DriftSettings.Resolve(new Dictionary<string, string> { [key] = value }, new DriftOptions()));

        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionsValidate_BadValues_ListsEachNamingItsSetting()
    {
        var errors = new DriftOptions { SampleRate = -1, Window = 5, QueueCapacity = 0 }.Validate();

        Assert.Contains(errors, e => e.StartsWith("Drift:SampleRate (--drift-sample-rate) must be 0..1, got -1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Drift:Window must be 10..1000000, got 5", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Drift:QueueCapacity must be 1..1000000, got 0", StringComparison.Ordinal));
        Assert.Empty(new DriftOptions().Validate());
    }
}
