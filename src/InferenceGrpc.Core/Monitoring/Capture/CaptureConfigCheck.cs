using InferenceGrpc.Core.Models;

namespace InferenceGrpc.Core.Monitoring.Capture;

/// <summary>
/// The <c>capture.*</c> parameters checked at load, when this server captures at all (a repository moved to a server
/// without a capture directory or salt still loads): a typo or a rule naming no tensor fails the load.
/// </summary>
public sealed class CaptureConfigCheck(CaptureOptions options) : IModelVersionCheck
{
    public void Check(ModelVersion version)
    {
        if (options.Enabled)
        {
            _ = CaptureSettings.Parse(version, options);
        }
    }
}
