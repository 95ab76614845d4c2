using InferenceGrpc.Core.Models;

namespace InferenceGrpc.Core.Monitoring.Shadow;

/// <summary>The <c>shadow.*</c> parameters checked at load: a malformed, unknown or half-given setting fails the load.</summary>
public sealed class ShadowConfigCheck : IModelVersionCheck
{
    public void Check(ModelVersion version) => _ = ShadowSettings.Parse(version);
}
