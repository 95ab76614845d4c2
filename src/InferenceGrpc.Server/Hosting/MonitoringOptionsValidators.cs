using InferenceGrpc.Core.Monitoring.Capture;
using InferenceGrpc.Core.Monitoring.Shadow;
using Microsoft.Extensions.Options;

namespace InferenceGrpc.Server.Hosting;

/// <summary>The "Capture" section at startup: every problem at once, each naming its key and flag.</summary>
internal sealed class CaptureOptionsValidator : IValidateOptions<CaptureOptions>
{
    public ValidateOptionsResult Validate(string? name, CaptureOptions options) => MonitoringOptions.Result(options.Validate());
}

/// <summary>The "Shadow" section at startup.</summary>
internal sealed class ShadowOptionsValidator : IValidateOptions<ShadowOptions>
{
    public ValidateOptionsResult Validate(string? name, ShadowOptions options) => MonitoringOptions.Result(options.Validate());
}

internal static class MonitoringOptions
{
    public static ValidateOptionsResult Result(IReadOnlyList<string> errors) =>
        errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
}
