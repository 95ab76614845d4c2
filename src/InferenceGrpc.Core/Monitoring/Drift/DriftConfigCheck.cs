using InferenceGrpc.Core.Models;

namespace InferenceGrpc.Core.Monitoring.Drift;

/// <summary>
/// The <c>drift.*</c> parameters checked at load: an unknown key or an out-of-range value fails the load. The
/// baseline file is not checked here: it is data that may arrive or change later, and a bad one only turns
/// monitoring off for the version (with a warning), never its serving.
/// </summary>
public sealed class DriftConfigCheck(DriftOptions options) : IModelVersionCheck
{
    public void Check(ModelVersion version)
    {
        try
        {
            _ = DriftSettings.Resolve(version.Config.Parameters, options);
        }
        catch (DriftBaselineException ex)
        {
            throw new ModelConfigException($"model '{version.ModelName}': {ex.Message}");
        }
    }
}
