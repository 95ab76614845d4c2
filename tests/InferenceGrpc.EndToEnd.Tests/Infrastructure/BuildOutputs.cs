using System.Reflection;

namespace InferenceGrpc.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Where this build put the things the tests launch and read. The paths are written into this assembly at build
/// time (see the project file), so Debug and Release builds each find their own server.
/// </summary>
internal static class BuildOutputs
{
    public static string RepoRoot { get; } = Metadata("RepoRoot");

    public static string ModelRepository { get; } = Path.Combine(RepoRoot, "models");

    public static string TextDirectionModel { get; } = Path.Combine(ModelRepository, "text_direction", "1", "model.onnx");

    /// <summary>The built InferenceGrpc.Server.dll.</summary>
    public static string ServerAssembly => Existing(Metadata("ServerAssembly"));

    /// <summary>The built infergrpc.dll (the CLI).</summary>
    public static string CliAssembly => Existing(Metadata("CliAssembly"));

    /// <summary>The dotnet host that runs this test process, so child processes use the same runtime.</summary>
    public static string DotnetHost { get; } = FindDotnetHost();

    private static string Metadata(string key) =>
        typeof(BuildOutputs).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"The test assembly carries no '{key}' metadata; rebuild the test project.");

    private static string Existing(string path) =>
        File.Exists(path)
            ? path
            : throw new FileNotFoundException($"'{path}' does not exist; build the solution (dotnet build InferenceGrpc.sln) before testing.", path);

    private static string FindDotnetHost()
    {
        // The SDK sets DOTNET_HOST_PATH for the processes it starts (dotnet test included).
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        return "dotnet";
    }
}
