using Microsoft.Extensions.Logging;

namespace InferenceGrpc.Core.Monitoring.Drift;

// Event ids 700-749: drift monitoring.
internal static partial class DriftLog
{
    [LoggerMessage(700, LogLevel.Information, "Model '{Model}' version {Version}: drift monitoring on: {Features} features ({Exported} exported one by one), {Outputs} outputs, sample rate {SampleRate}, window {Window} rows", EventName = "DriftMonitoringOn")]
    public static partial void MonitoringOn(ILogger logger, string model, long version, int features, int exported, int outputs, double sampleRate, int window);

    [LoggerMessage(701, LogLevel.Debug, "Model '{Model}' version {Version} has no {File}: drift monitoring off", EventName = "DriftBaselineMissing")]
    public static partial void BaselineMissing(ILogger logger, string model, long version, string file);

    [LoggerMessage(702, LogLevel.Warning, "Model '{Model}' version {Version}: drift monitoring off, it serves anyway: {Reason}", EventName = "DriftBaselineInvalid")]
    public static partial void BaselineInvalid(ILogger logger, string model, long version, string reason);

    [LoggerMessage(703, LogLevel.Warning, "Model '{Model}' version {Version} feature '{Feature}' drifted over the last {Rows} rows: PSI {Psi}, KS {Ks}, NaN ratio {NanRatio}, out-of-range ratio {OutOfRangeRatio}", EventName = "FeatureDrifted")]
    public static partial void FeatureDrifted(ILogger logger, string model, long version, string feature, int rows, double psi, double ks, double nanRatio, double outOfRangeRatio);

    [LoggerMessage(704, LogLevel.Information, "Model '{Model}' version {Version} feature '{Feature}' is back within thresholds over the last {Rows} rows: PSI {Psi}, KS {Ks}, NaN ratio {NanRatio}, out-of-range ratio {OutOfRangeRatio}", EventName = "FeatureRecovered")]
    public static partial void FeatureRecovered(ILogger logger, string model, long version, string feature, int rows, double psi, double ks, double nanRatio, double outOfRangeRatio);

    [LoggerMessage(705, LogLevel.Warning, "Model '{Model}' version {Version} output '{Output}': predictions drifted over the last {Rows} rows: PSI {Psi}", EventName = "PredictionDrifted")]
    public static partial void PredictionDrifted(ILogger logger, string model, long version, string output, int rows, double psi);

    [LoggerMessage(706, LogLevel.Information, "Model '{Model}' version {Version} output '{Output}': predictions are back within threshold over the last {Rows} rows: PSI {Psi}", EventName = "PredictionRecovered")]
    public static partial void PredictionRecovered(ILogger logger, string model, long version, string output, int rows, double psi);

    [LoggerMessage(707, LogLevel.Error, "Drift monitoring of model '{Model}' version {Version} failed on a sample; it is skipped (with the exception)", EventName = "DriftSampleFailed")]
    public static partial void SampleFailed(ILogger logger, Exception exception, string model, long version);

    [LoggerMessage(708, LogLevel.Warning, "Model '{Model}' version {Version}: {Count} more features past drift.max_features drifted over the last {Rows} rows (their maxima are the series feature=\"_rest\")", EventName = "OtherFeaturesDrifted")]
    public static partial void OtherFeaturesDrifted(ILogger logger, string model, long version, int count, int rows);

    [LoggerMessage(709, LogLevel.Information, "Model '{Model}' version {Version}: {Count} more features past drift.max_features are back within thresholds over the last {Rows} rows", EventName = "OtherFeaturesRecovered")]
    public static partial void OtherFeaturesRecovered(ILogger logger, string model, long version, int count, int rows);

    [LoggerMessage(710, LogLevel.Error, "Setting up drift monitoring of model '{Model}' version {Version} failed; it serves unmonitored (with the exception)", EventName = "DriftSetUpFailed")]
    public static partial void SetUpFailed(ILogger logger, Exception exception, string model, long version);
}

/// <summary>Where threshold crossings go: the log, once per crossing each way.</summary>
internal sealed class DriftAlerts(ILogger logger)
{
    public void FeatureDrifted(VersionDrift v, string feature, double psi, double ks, double nan, double oor, int rows) =>
        DriftLog.FeatureDrifted(logger, v.Version.ModelName, v.Version.Version, feature, rows, psi, ks, nan, oor);

    public void FeatureRecovered(VersionDrift v, string feature, double psi, double ks, double nan, double oor, int rows) =>
        DriftLog.FeatureRecovered(logger, v.Version.ModelName, v.Version.Version, feature, rows, psi, ks, nan, oor);

    public void OtherFeaturesDrifted(VersionDrift v, int count, int rows) =>
        DriftLog.OtherFeaturesDrifted(logger, v.Version.ModelName, v.Version.Version, count, rows);

    public void OtherFeaturesRecovered(VersionDrift v, int count, int rows) =>
        DriftLog.OtherFeaturesRecovered(logger, v.Version.ModelName, v.Version.Version, count, rows);

    public void PredictionDrifted(VersionDrift v, string output, double psi, int rows) =>
        DriftLog.PredictionDrifted(logger, v.Version.ModelName, v.Version.Version, output, rows, psi);

    public void PredictionRecovered(VersionDrift v, string output, double psi, int rows) =>
        DriftLog.PredictionRecovered(logger, v.Version.ModelName, v.Version.Version, output, rows, psi);
}
