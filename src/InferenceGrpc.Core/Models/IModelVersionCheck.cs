namespace InferenceGrpc.Core.Models;

/// <summary>
/// Checks, at load, the part of a version's configuration that a feature outside the backend reads (the
/// <c>capture.*</c>, <c>shadow.*</c> and <c>drift.*</c> parameters). A problem fails that version's load with the
/// reason, as any config error does, instead of surfacing later as a log line while the feature is silently off; on
/// a reload the versions already serving keep serving.
/// </summary>
public interface IModelVersionCheck
{
    /// <param name="version">The version being loaded: its config and resolved signature (state Loading).</param>
    /// <exception cref="ModelConfigException">The configuration is not one the feature accepts; the message names the key, expected and got.</exception>
    void Check(ModelVersion version);
}
