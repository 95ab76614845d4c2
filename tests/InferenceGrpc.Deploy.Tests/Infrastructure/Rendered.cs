using System.Diagnostics;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using YamlDotNet.Serialization;

namespace InferenceGrpc.Deploy.Tests.Infrastructure;

/// <summary>The repository's folders, found from the test binary upwards.</summary>
public static class SourceTree
{
    public static string Root { get; } = FindRoot();

    public static string K8s => Path.Combine(Root, "k8s");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "InferenceGrpc.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("InferenceGrpc.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>One document of a rendered overlay: its kind, the raw YAML, the typed object for built-in kinds and a
/// generic map for every kind.</summary>
public sealed record Manifest(string ApiVersion, string Kind, string Name, string Yaml, object? Typed, Dictionary<object, object> Map)
{
    public T As<T>() => (T)(Typed ?? throw new InvalidOperationException($"{Kind}/{Name} has no typed form"));
}

/// <summary>An overlay rendered by `kubectl kustomize`, every document parsed.</summary>
public sealed class Rendered
{
    /// <summary>Built-in kinds and the KubernetesClient types they must parse into, strictly (unknown fields fail).</summary>
    public static readonly IReadOnlyDictionary<string, Type> BuiltInKinds = new Dictionary<string, Type>
    {
        ["v1/Namespace"] = typeof(V1Namespace),
        ["v1/ConfigMap"] = typeof(V1ConfigMap),
        ["v1/Service"] = typeof(V1Service),
        ["apps/v1/Deployment"] = typeof(V1Deployment),
        ["policy/v1/PodDisruptionBudget"] = typeof(V1PodDisruptionBudget),
        ["autoscaling/v2/HorizontalPodAutoscaler"] = typeof(V2HorizontalPodAutoscaler),
        ["batch/v1/CronJob"] = typeof(V1CronJob),
    };

    /// <summary>Custom kinds the overlays may use; checked as YAML maps by the tests.</summary>
    public static readonly IReadOnlySet<string> CustomKinds = new HashSet<string>
    {
        "monitoring.coreos.com/v1/ServiceMonitor",
        "monitoring.coreos.com/v1/PrometheusRule",
        "networking.istio.io/v1/DestinationRule",
        "networking.istio.io/v1/VirtualService",
        "security.istio.io/v1/PeerAuthentication",
    };

    private static readonly IDeserializer MapReader = new DeserializerBuilder().Build();

    private Rendered(string overlay, IReadOnlyList<Manifest> manifests)
    {
        Overlay = overlay;
        Manifests = manifests;
    }

    public string Overlay { get; }

    public IReadOnlyList<Manifest> Manifests { get; }

    public IEnumerable<Manifest> OfKind(string kind) => Manifests.Where(m => m.Kind == kind);

    public IEnumerable<T> All<T>() => Manifests.Where(m => m.Typed is T).Select(m => (T)m.Typed!);

    public Manifest Single(string kind, string name) =>
        Manifests.SingleOrDefault(m => m.Kind == kind && m.Name == name)
        ?? throw new Xunit.Sdk.XunitException($"{Overlay}: no {kind}/{name}; rendered: {string.Join(", ", Manifests.Select(m => m.Kind + "/" + m.Name))}");

    public static Dictionary<object, object> ReadMap(string yaml) =>
        MapReader.Deserialize<Dictionary<object, object>>(yaml) ?? [];

    public static async Task<Rendered> RenderAsync(string overlay)
    {
        var kubectl = FindOnPath("kubectl")
            ?? throw new Xunit.Sdk.XunitException(
                "kubectl is not on PATH: install it (https://kubernetes.io/docs/tasks/tools/, v1.27+ for kustomize v5) to render k8s/overlays — CI has it.");
        var dir = Path.Combine(SourceTree.K8s, "overlays", overlay);
        var start = new ProcessStartInfo(kubectl) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(dir);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"kubectl kustomize {dir} failed ({process.ExitCode}):\n{await stderr}");
        }

        return new Rendered(overlay, Parse(overlay, await stdout));
    }

    public static IReadOnlyList<Manifest> Parse(string overlay, string yaml)
    {
        var manifests = new List<Manifest>();
        foreach (var doc in Regex.Split(yaml.ReplaceLineEndings("\n"), "^---\n", RegexOptions.Multiline))
        {
            if (string.IsNullOrWhiteSpace(doc))
            {
                continue;
            }

            var map = ReadMap(doc);
            var apiVersion = (string)map["apiVersion"];
            var kind = (string)map["kind"];
            var name = (string)((Dictionary<object, object>)map["metadata"])["name"];
            var key = apiVersion + "/" + kind;
            object? typed = null;
            if (BuiltInKinds.TryGetValue(key, out var type))
            {
                try
                {
                    typed = DeserializeStrict(doc, type);
                }
                catch (Exception e)
                {
                    throw new Xunit.Sdk.XunitException($"{overlay}: {kind}/{name} does not parse strictly as {type.Name}: {e.Message} {e.InnerException?.Message}");
                }
            }
            else if (!CustomKinds.Contains(key))
            {
                throw new Xunit.Sdk.XunitException($"{overlay}: {key} ({name}) is neither a checked built-in kind nor a known custom kind; add it to Rendered.");
            }

            manifests.Add(new Manifest(apiVersion, kind, name, doc, typed, map));
        }

        return manifests;
    }

    /// <summary>KubernetesYaml.Deserialize&lt;T&gt;(yaml, strict: true): unknown (misspelled) fields throw.</summary>
    public static object DeserializeStrict(string yaml, Type type)
    {
        var method = typeof(KubernetesYaml).GetMethods()
            .Single(m => m.Name == nameof(KubernetesYaml.Deserialize) && m.IsGenericMethodDefinition
                && m.GetParameters() is [{ ParameterType: var p }, { ParameterType: var s }] && p == typeof(string) && s == typeof(bool));
        try
        {
            return method.MakeGenericMethod(type).Invoke(null, [yaml, true])!;
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);
}

/// <summary>Renders each overlay once for the whole test run.</summary>
public sealed class OverlaysFixture : IAsyncLifetime
{
    public static readonly string[] Names = ["cpu", "gpu", "istio"];

    public Dictionary<string, Rendered> Overlays { get; } = [];

    public Rendered this[string overlay] => Overlays[overlay];

    public async Task InitializeAsync()
    {
        var rendered = await Task.WhenAll(Names.Select(Rendered.RenderAsync));
        foreach (var r in rendered)
        {
            Overlays[r.Overlay] = r;
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>Navigation in YAML maps.</summary>
public static class Yaml
{
    public static object? At(this object? node, params object[] path)
    {
        foreach (var step in path)
        {
            node = (node, step) switch
            {
                (Dictionary<object, object> map, string key) => map.TryGetValue(key, out var v) ? v : null,
                (List<object> list, int i) => i < list.Count ? list[i] : null,
                _ => null,
            };
        }

        return node;
    }

    public static string? Str(this object? node, params object[] path) => node.At(path) as string;

    public static List<object> List(this object? node, params object[] path) => node.At(path) as List<object> ?? [];
}
