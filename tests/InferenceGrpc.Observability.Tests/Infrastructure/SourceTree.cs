namespace InferenceGrpc.Observability.Tests.Infrastructure;

/// <summary>Paths in the repository's checkout: the folder above this assembly that holds InferenceGrpc.sln.</summary>
internal static class SourceTree
{
    public static string Root { get; } = FindRoot();

    public static string MonitoringFolder => Path.Combine(Root, "k8s", "monitoring");

    public static string DashboardPath => Path.Combine(MonitoringFolder, "inferencegrpc-dashboard.json");

    public static string ObservabilityDoc => Path.Combine(Root, "docs", "OBSERVABILITY.md");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "InferenceGrpc.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no InferenceGrpc.sln above {AppContext.BaseDirectory}");
    }
}
