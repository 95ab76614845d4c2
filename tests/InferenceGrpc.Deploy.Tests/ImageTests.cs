using System.Text.RegularExpressions;
using System.Xml.Linq;
using InferenceGrpc.Deploy.Tests.Infrastructure;

namespace InferenceGrpc.Deploy.Tests;

/// <summary>The container images (k8s/image, the SDK container properties) agree with the manifests. No image is built
/// here (no registry is reachable in CI); docs/DEPLOY.md has the build commands.</summary>
public sealed partial class ImageTests
{
    private const int AppUid = 1654;

    [Theory]
    [InlineData("Dockerfile.cpu", "mcr.microsoft.com/dotnet/aspnet:")]
    [InlineData("Dockerfile.gpu", "nvidia/cuda:13.")]
    public void Dockerfile_RunsNonRootByNumber_OnTheRightBase_WithoutModels(string file, string runtimeBase)
    {
        var text = File.ReadAllText(Path.Combine(SourceTree.K8s, "image", file));
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var args = lines.Where(l => l.StartsWith("ARG ", StringComparison.Ordinal)).Select(l => l[4..].Split('=', 2))
            .Where(a => a.Length == 2).ToDictionary(a => a[0], a => a[1]);
        var froms = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal))
            .Select(l => ArgRef().Replace(l.Split(' ')[1], m => args.GetValueOrDefault(m.Groups[1].Value, m.Value))).ToList();
        var final = froms[^1];
        Assert.StartsWith(runtimeBase, final, StringComparison.Ordinal);
        if (file.EndsWith("gpu", StringComparison.Ordinal))
        {
            Assert.Contains("cudnn", final, StringComparison.Ordinal);
            Assert.Contains("runtime", final, StringComparison.Ordinal);
            Assert.Contains(froms, f => f.StartsWith("mcr.microsoft.com/dotnet/aspnet:", StringComparison.Ordinal));
        }

        Assert.Equal($"USER {AppUid}", lines.Last(l => l.StartsWith("USER ", StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => Regex.IsMatch(l, @"^(COPY|ADD)\s.*\bmodels/?(\s|$)"));
        Assert.Contains(lines, l => l.Contains("appsettings.Production.json /out/appsettings.Production.json", StringComparison.Ordinal)
            && l.Contains("/etc/inferencegrpc/", StringComparison.Ordinal));
        Assert.Contains("models/", File.ReadAllText(Path.Combine(SourceTree.K8s, "image", file + ".dockerignore")), StringComparison.Ordinal);
        Assert.Contains("\"InferenceGrpc.Server.dll\"", lines.Last(l => l.StartsWith("ENTRYPOINT", StringComparison.Ordinal)).Replace("/app/", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void SdkContainerProperties_NameTheRepositoryAndANumericNonRootUser()
    {
        var csproj = XDocument.Load(Path.Combine(SourceTree.Root, "src", "InferenceGrpc.Server", "InferenceGrpc.Server.csproj"));
        var group = csproj.Root!.Elements("PropertyGroup").Single(g => (string?)g.Attribute("Label") == "Container");
        Assert.False(string.IsNullOrEmpty((string?)group.Element("ContainerRepository")));
        Assert.False(string.IsNullOrEmpty((string?)group.Element("ContainerFamily")));
        Assert.Equal(AppUid.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)group.Element("ContainerUser"));
        Assert.Equal("linux-x64", (string?)group.Element("ContainerRuntimeIdentifier"));
    }

    [Fact]
    public void TheManifestsRunTheImagesUser()
    {
        var deployment = File.ReadAllText(Path.Combine(SourceTree.K8s, "base", "deployment.yaml"));
        Assert.Contains($"runAsUser: {AppUid}", deployment, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\$\{(\w+)\}")]
    private static partial Regex ArgRef();
}
