using InferenceGrpc.Deploy.Tests.Infrastructure;
using k8s.Models;

namespace InferenceGrpc.Deploy.Tests;

/// <summary>The rules of docs/DEPLOY.md, asserted on every rendered overlay (k8s/overlays/cpu, gpu, istio).</summary>
public sealed class ManifestTests(OverlaysFixture rendered) : IClassFixture<OverlaysFixture>
{
    /// <summary>Seconds between the end of the app's exit timeout and SIGKILL: logging, flushing, process exit.</summary>
    private const int MarginSeconds = 10;

    /// <summary>The least time the startup probe must give a pod to load and warm its models.</summary>
    private const int StartupBudgetSeconds = 120;

    public static TheoryData<string> Overlays => new(OverlaysFixture.Names);

    [Fact]
    public void StrictParsing_RejectsAMisspelledField()
    {
        const string yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: 1\n  terminationGracePeriodSecond: 60\n";
        Assert.ThrowsAny<Exception>(() => Rendered.DeserializeStrict(yaml, typeof(V1Deployment)));
        Assert.ThrowsAny<Exception>(() => Rendered.Parse("self-test", yaml));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Overlay_RendersTheWorkloadAndItsCompanions(string overlay)
    {
        var r = rendered[overlay];
        foreach (var kind in new[] { "Namespace", "ConfigMap", "Service", "Deployment", "PodDisruptionBudget", "HorizontalPodAutoscaler", "ServiceMonitor", "PrometheusRule" })
        {
            Assert.True(r.OfKind(kind).Any(), $"{overlay}: no {kind}");
        }

        Assert.All(r.Manifests.Where(m => m.Kind != "Namespace"), m => Assert.Equal("inferencegrpc", m.Map.Str("metadata", "namespace")));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Probes_AreNativeGrpcOnTheGrpcPort_OnDistinctHealthServices(string overlay)
    {
        foreach (var d in rendered[overlay].All<V1Deployment>())
        {
            var c = Server(d);
            var grpcPort = Assert.Single(c.Ports, p => p.Name == "grpc").ContainerPort;
            var probes = new Dictionary<string, V1Probe?> { ["startup"] = c.StartupProbe, ["readiness"] = c.ReadinessProbe, ["liveness"] = c.LivenessProbe };
            foreach (var (kind, probe) in probes)
            {
                Assert.True(probe?.Grpc is not null, $"{overlay} {d.Metadata.Name}: the {kind} probe is not a native grpc probe");
                Assert.True(probe!.HttpGet is null && probe.Exec is null && probe.TcpSocket is null, $"{d.Metadata.Name}: {kind} probe mixes handlers");
                Assert.Equal(grpcPort, probe.Grpc.Port);
            }

            Assert.Equal("liveness", c.LivenessProbe!.Grpc.Service);
            Assert.Equal("readiness", c.ReadinessProbe!.Grpc.Service);
            Assert.NotEqual(c.LivenessProbe.Grpc.Service, c.ReadinessProbe.Grpc.Service);
            // Startup waits for the models (readiness), so liveness never kills a pod that is still loading.
            Assert.Equal("readiness", c.StartupProbe!.Grpc.Service);
            var budget = (c.StartupProbe.FailureThreshold ?? 3) * (c.StartupProbe.PeriodSeconds ?? 10);
            Assert.True(budget >= StartupBudgetSeconds, $"{d.Metadata.Name}: startup budget {budget} s < {StartupBudgetSeconds} s for model loading");
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void GracePeriod_CoversPreStopPlusTheAppsExitTimeoutPlusMargin(string overlay)
    {
        foreach (var d in rendered[overlay].All<V1Deployment>())
        {
            var c = Server(d);
            var preStop = c.Lifecycle?.PreStop?.Sleep?.Seconds
                ?? throw new Xunit.Sdk.XunitException($"{d.Metadata.Name}: no preStop sleep");
            Assert.True(preStop >= 5, $"{d.Metadata.Name}: preStop sleep {preStop} s is too short for endpoints to converge");
            var exitEnv = c.Env?.SingleOrDefault(e => e.Name == "INFERENCEGRPC_Server__ExitTimeoutSecs")
                ?? throw new Xunit.Sdk.XunitException($"{d.Metadata.Name}: INFERENCEGRPC_Server__ExitTimeoutSecs is not set, so the grace period cannot be sized from it");
            var exitTimeout = int.Parse(exitEnv.Value, System.Globalization.CultureInfo.InvariantCulture);
            var grace = d.Spec.Template.Spec.TerminationGracePeriodSeconds ?? 30;
            Assert.True(grace >= preStop + exitTimeout + MarginSeconds,
                $"{d.Metadata.Name}: terminationGracePeriodSeconds {grace} < preStop {preStop} + exit timeout {exitTimeout} + margin {MarginSeconds}");
            Assert.DoesNotContain(c.Args ?? [], a => a.StartsWith("--exit-timeout-secs", StringComparison.Ordinal));   // a flag would win over the env
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Resources_RequestEverything_MemoryLimitEqualsRequest(string overlay)
    {
        foreach (var d in rendered[overlay].All<V1Deployment>())
        {
            foreach (var c in AllContainers(d))
            {
                var req = c.Resources?.Requests ?? throw new Xunit.Sdk.XunitException($"{d.Metadata.Name}/{c.Name}: no requests");
                var lim = c.Resources.Limits ?? throw new Xunit.Sdk.XunitException($"{d.Metadata.Name}/{c.Name}: no limits");
                Assert.True(req.ContainsKey("cpu"), $"{d.Metadata.Name}/{c.Name}: no CPU request");
                Assert.True(req.ContainsKey("memory") && lim.ContainsKey("memory"), $"{d.Metadata.Name}/{c.Name}: memory request and limit");
                Assert.True(req["memory"].ToDecimal() == lim["memory"].ToDecimal(),
                    $"{overlay} {d.Metadata.Name}/{c.Name}: memory limit {lim["memory"]} != request {req["memory"]}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Gpu_OnlyInTheGpuOverlay_WithNodeSelectorTolerationImageAndProvider(string overlay)
    {
        foreach (var d in rendered[overlay].All<V1Deployment>())
        {
            var spec = d.Spec.Template.Spec;
            var c = Server(d);
            var gpus = AllContainers(d).Where(x => x.Resources?.Limits?.ContainsKey("nvidia.com/gpu") == true).ToList();
            if (overlay == "gpu")
            {
                Assert.True(gpus.Count == 1 && gpus[0].Name == c.Name, $"gpu: the server container must limit nvidia.com/gpu");
                Assert.True(c.Resources!.Limits!["nvidia.com/gpu"].ToDecimal() >= 1);
                Assert.True(spec.NodeSelector?.Count > 0, "gpu: no nodeSelector for GPU nodes");
                Assert.Contains(spec.Tolerations ?? [], t => t.Key == "nvidia.com/gpu" && t.Effect == "NoSchedule");
                Assert.Contains("cuda", c.Image, StringComparison.Ordinal);
                Assert.Contains("--execution-provider=cuda", c.Args ?? []);
            }
            else
            {
                Assert.Empty(gpus);
                Assert.DoesNotContain(AllContainers(d), x => x.Resources?.Requests?.ContainsKey("nvidia.com/gpu") == true);
                Assert.DoesNotContain("cuda", c.Image, StringComparison.Ordinal);
                Assert.Contains("--execution-provider=cpu", c.Args ?? []);
                Assert.DoesNotContain(spec.Tolerations ?? [], t => t.Key == "nvidia.com/gpu");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void SecurityContext_IsRestricted(string overlay)
    {
        foreach (var d in rendered[overlay].All<V1Deployment>())
        {
            var pod = d.Spec.Template.Spec;
            Assert.False(pod.HostNetwork == true || pod.HostPID == true || pod.HostIPC == true);
            foreach (var c in AllContainers(d))
            {
                var sc = c.SecurityContext ?? throw new Xunit.Sdk.XunitException($"{d.Metadata.Name}/{c.Name}: no securityContext");
                var where = $"{overlay} {d.Metadata.Name}/{c.Name}";
                Assert.True((sc.RunAsNonRoot ?? pod.SecurityContext?.RunAsNonRoot) == true, $"{where}: runAsNonRoot");
                var uid = sc.RunAsUser ?? pod.SecurityContext?.RunAsUser;
                Assert.True(uid is > 0, $"{where}: a numeric non-root runAsUser (an image's user name cannot be verified by the kubelet)");
                Assert.True(sc.ReadOnlyRootFilesystem == true, $"{where}: readOnlyRootFilesystem");
                Assert.True(sc.AllowPrivilegeEscalation == false, $"{where}: allowPrivilegeEscalation false");
                Assert.True(sc.Privileged is null or false, $"{where}: privileged");
                Assert.Contains("ALL", sc.Capabilities?.Drop ?? []);
                Assert.Empty(sc.Capabilities?.Add ?? []);
                Assert.Equal("RuntimeDefault", (sc.SeccompProfile ?? pod.SecurityContext?.SeccompProfile)?.Type);
            }

            var server = Server(d);
            var tmp = Assert.Single(server.VolumeMounts, m => m.MountPath == "/tmp");
            Assert.NotNull(Assert.Single(pod.Volumes, v => v.Name == tmp.Name).EmptyDir);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Pods_SpreadAcrossZonesAndNodes_ModelsFromAVolume_ConfigFromAConfigMapDirectory(string overlay)
    {
        var r = rendered[overlay];
        foreach (var d in r.All<V1Deployment>())
        {
            var pod = d.Spec.Template.Spec;
            var podLabels = d.Spec.Template.Metadata.Labels;
            Assert.Contains(pod.TopologySpreadConstraints ?? [], t => t.TopologyKey == "topology.kubernetes.io/zone");
            Assert.Contains(pod.TopologySpreadConstraints ?? [], t => t.TopologyKey == "kubernetes.io/hostname");
            Assert.All(pod.TopologySpreadConstraints ?? [], t => Assert.True(Selects(t.LabelSelector.MatchLabels, podLabels), $"{d.Metadata.Name}: a spread constraint that does not select its own pods"));

            var server = Server(d);
            var models = Assert.Single(server.VolumeMounts, m => m.MountPath == "/models");
            Assert.True(models.ReadOnlyProperty == true, "the server mounts /models read-only");
            var modelsVolume = Assert.Single(pod.Volumes, v => v.Name == models.Name);
            Assert.True(modelsVolume.PersistentVolumeClaim is not null
                || (modelsVolume.EmptyDir is not null && (pod.InitContainers ?? []).Any(i => i.VolumeMounts.Any(m => m.Name == models.Name))),
                $"{d.Metadata.Name}: models come from a PVC or an init container filling an emptyDir");
            Assert.Contains("--model-repository=/models", server.Args ?? []);

            var config = Assert.Single(server.VolumeMounts, m => m.MountPath == "/etc/inferencegrpc");
            Assert.Null(config.SubPath);   // a directory mount: ConfigMap updates reach the pod
            var cm = Assert.Single(pod.Volumes, v => v.Name == config.Name).ConfigMap;
            Assert.NotNull(cm);
            var configMap = r.Single("ConfigMap", cm.Name).As<V1ConfigMap>();
            Assert.True(configMap.Data.ContainsKey("appsettings.Production.json"), "the images link /app/appsettings.Production.json to this key");
            System.Text.Json.JsonDocument.Parse(configMap.Data["appsettings.Production.json"]).Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Services_NameTheirPortsForTheMesh_AndSelectTheServer(string overlay)
    {
        var r = rendered[overlay];
        var stable = r.Single("Deployment", "inferencegrpc").As<V1Deployment>();
        var containerPorts = Server(stable).Ports.ToDictionary(p => p.Name, p => p.ContainerPort);

        var svc = r.Single("Service", "inferencegrpc").As<V1Service>();
        Assert.Equal("ClusterIP", svc.Spec.Type ?? "ClusterIP");
        var grpc = Assert.Single(svc.Spec.Ports, p => p.Name == "grpc");
        Assert.Equal("grpc", grpc.AppProtocol);
        Assert.Equal(containerPorts["grpc"], grpc.Port);
        Assert.True(grpc.TargetPort.Value == "grpc" || grpc.TargetPort.Value == containerPorts["grpc"].ToString(System.Globalization.CultureInfo.InvariantCulture));
        var metrics = Assert.Single(svc.Spec.Ports, p => p.Name == "http-metrics");
        Assert.Equal(containerPorts["http-metrics"], metrics.Port);
        Assert.All(svc.Spec.Ports, p => Assert.True(p.Name.StartsWith("grpc", StringComparison.Ordinal) || p.Name.StartsWith("http", StringComparison.Ordinal)));

        var headless = r.Single("Service", "inferencegrpc-headless").As<V1Service>();
        Assert.Equal("None", headless.Spec.ClusterIP);
        Assert.Equal("grpc", Assert.Single(headless.Spec.Ports, p => p.Name == "grpc").AppProtocol);

        foreach (var d in r.All<V1Deployment>())
        {
            Assert.True(Selects(svc.Spec.Selector, d.Spec.Template.Metadata.Labels), $"Service inferencegrpc does not select {d.Metadata.Name}");
            Assert.True(Selects(headless.Spec.Selector, d.Spec.Template.Metadata.Labels), $"the headless Service does not select {d.Metadata.Name}");
            Assert.True(Selects(d.Spec.Selector.MatchLabels, d.Spec.Template.Metadata.Labels));
        }

        var monitor = r.Single("ServiceMonitor", "inferencegrpc").Map;
        Assert.Contains(monitor.List("spec", "endpoints"), e => e.Str("port") == "http-metrics" && e.Str("path") == "/metrics");
        var monitorSelector = ((Dictionary<object, object>)monitor.At("spec", "selector", "matchLabels")!).ToDictionary(kv => (string)kv.Key, kv => (string)kv.Value);
        Assert.True(Selects(monitorSelector, svc.Metadata.Labels), "the ServiceMonitor does not select Service inferencegrpc");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void PdbAndHpa_TargetEachDeployment_HpaScalesOnAnExportedPerPodGauge(string overlay)
    {
        var r = rendered[overlay];
        var deployments = r.All<V1Deployment>().ToList();
        var pdbs = r.All<V1PodDisruptionBudget>().ToList();
        var hpas = r.All<V2HorizontalPodAutoscaler>().ToList();
        foreach (var d in deployments)
        {
            var labels = d.Spec.Template.Metadata.Labels;
            var pdb = Assert.Single(pdbs, p => Selects(p.Spec.Selector.MatchLabels, labels));
            Assert.True(pdb.Spec.MaxUnavailable is not null || pdb.Spec.MinAvailable is not null);

            var hpa = Assert.Single(hpas, h => h.Spec.ScaleTargetRef.Kind == "Deployment" && h.Spec.ScaleTargetRef.Name == d.Metadata.Name);
            Assert.True(hpa.Spec.MinReplicas >= 1 && hpa.Spec.MaxReplicas >= hpa.Spec.MinReplicas);
            var metric = Assert.Single(hpa.Spec.Metrics);
            Assert.Equal("Pods", metric.Type);
            Assert.Contains(metric.Pods.Metric.Name, ExportedMetrics.Gauges);
            Assert.Contains(metric.Pods.Metric.Name, new[] { "inference_queue_depth", "inference_inflight" });
            Assert.Equal("AverageValue", metric.Pods.Target.Type);
            Assert.True(metric.Pods.Target.AverageValue.ToDecimal() > 0);
            Assert.True(hpa.Spec.Behavior?.ScaleDown?.StabilizationWindowSeconds >= 60, "scale down slowly: new pods take minutes to load models");
        }

        Assert.Equal(deployments.Count, pdbs.Count);
        Assert.Equal(deployments.Count, hpas.Count);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void PrometheusRule_AlertsOnLatencyErrorsSaturationAndReadiness_WithExportedMetricsOnly(string overlay)
    {
        var rule = rendered[overlay].Single("PrometheusRule", "inferencegrpc").Map;
        var rules = rule.List("spec", "groups").SelectMany(g => g.List("rules")).ToList();
        var records = rules.Select(x => x.Str("record")).OfType<string>().ToHashSet();
        var alerts = rules.Where(x => x.Str("alert") is not null).ToList();
        Assert.NotEmpty(alerts);
        foreach (var x in rules)
        {
            var expr = x.Str("expr") ?? throw new Xunit.Sdk.XunitException($"rule {x.Str("alert") ?? x.Str("record")} has no expr");
            foreach (var name in ExportedMetrics.NamesIn(expr))
            {
                Assert.True(ExportedMetrics.SeriesNames.Contains(name),
                    $"rule {x.Str("alert") ?? x.Str("record")}: '{name}' is not exported (exported: {string.Join(", ", ExportedMetrics.SeriesNames.Order())})");
            }

            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(expr, @"[a-z_]+:[a-z_:]+[a-z0-9_]+"))
            {
                Assert.Contains(m.Value, records);
            }

            if (x.Str("alert") is not null)
            {
                Assert.NotNull(x.Str("labels", "severity"));
                Assert.NotNull(x.Str("annotations", "summary"));
            }
        }

        string Resolved(object alert)
        {
            var expr = alert.Str("expr")!;
            foreach (var r in rules.Where(r => r.Str("record") is not null))
            {
                expr = expr.Replace(r.Str("record")!, r.Str("expr"), StringComparison.Ordinal);
            }

            return expr;
        }

        var resolved = alerts.Select(Resolved).ToList();
        Assert.Contains(resolved, e => e.Contains("histogram_quantile(0.99", StringComparison.Ordinal) && e.Contains("inference_request_duration_seconds_bucket", StringComparison.Ordinal));
        Assert.Contains(resolved, e => e.Contains("inference_requests_total{outcome=~", StringComparison.Ordinal) && e.Contains('/'));
        Assert.Contains(resolved, e => e.Contains("inference_queue_depth", StringComparison.Ordinal));
        Assert.Contains(resolved, e => e.Contains("inference_model_ready", StringComparison.Ordinal));
    }

    [Fact]
    public void Istio_DestinationRule_VirtualServiceCanary_PeerAuthentication_Drain()
    {
        var r = rendered["istio"];
        var deployments = r.All<V1Deployment>().ToList();
        var stable = deployments.Single(d => d.Metadata.Name == "inferencegrpc");
        var canary = deployments.Single(d => d.Metadata.Name == "inferencegrpc-canary");
        Assert.NotEqual(
            stable.Spec.Template.Spec.InitContainers.Single().Image,
            canary.Spec.Template.Spec.InitContainers.Single().Image);   // two model versions
        Assert.Equal("enabled", r.Single("Namespace", "inferencegrpc").As<V1Namespace>().Metadata.Labels["istio-injection"]);

        var host = "inferencegrpc.inferencegrpc.svc.cluster.local";
        var dr = r.Single("DestinationRule", "inferencegrpc").Map;
        Assert.Equal(host, dr.Str("spec", "host"));
        Assert.Equal("LEAST_REQUEST", dr.Str("spec", "trafficPolicy", "loadBalancer", "simple"));
        Assert.NotNull(dr.At("spec", "trafficPolicy", "connectionPool", "http", "http2MaxRequests"));
        Assert.NotNull(dr.At("spec", "trafficPolicy", "connectionPool", "tcp", "maxConnections"));
        var outlier = dr.At("spec", "trafficPolicy", "outlierDetection");
        Assert.NotNull(outlier.At("consecutiveGatewayErrors") ?? outlier.At("consecutive5xxErrors"));
        Assert.NotNull(outlier.At("baseEjectionTime"));
        Assert.NotNull(outlier.At("maxEjectionPercent"));
        var subsets = dr.List("spec", "subsets").ToDictionary(s => s.Str("name")!, s => ((Dictionary<object, object>)s.At("labels")!).ToDictionary(kv => (string)kv.Key, kv => (string)kv.Value));
        Assert.True(Selects(subsets["stable"], stable.Spec.Template.Metadata.Labels) && !Selects(subsets["stable"], canary.Spec.Template.Metadata.Labels), "subset stable");
        Assert.True(Selects(subsets["canary"], canary.Spec.Template.Metadata.Labels) && !Selects(subsets["canary"], stable.Spec.Template.Metadata.Labels), "subset canary");

        var vs = r.Single("VirtualService", "inferencegrpc").Map;
        Assert.Contains(host, vs.List("spec", "hosts").Cast<string>());
        var routes = vs.List("spec", "http");
        Assert.True(routes.Count >= 2, "a header route, then a weighted route");
        var first = routes[0];
        Assert.NotEmpty(first.List("match"));
        Assert.NotNull(first.At("match", 0, "headers"));
        Assert.Equal("canary", Assert.Single(first.List("route")).Str("destination", "subset"));
        var last = routes[^1];
        Assert.Empty(last.List("match"));
        var weighted = last.List("route");
        Assert.Equal(100, weighted.Sum(w => int.Parse(w.Str("weight") ?? "0", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(new[] { "canary", "stable" }, weighted.Select(w => w.Str("destination", "subset")).Order().ToArray());
        Assert.All(routes, route =>
        {
            Assert.All(route.List("route"), d => Assert.Equal(host, d.Str("destination", "host")));
            Assert.Equal("unavailable", route.Str("retries", "retryOn"));   // only UNAVAILABLE: the request never ran
        });

        var pa = r.Single("PeerAuthentication", "inferencegrpc").Map;
        Assert.Equal("STRICT", pa.Str("spec", "mtls", "mode"));

        foreach (var d in deployments)
        {
            var annotations = d.Spec.Template.Metadata.Annotations ?? new Dictionary<string, string>();
            Assert.True(annotations.TryGetValue("proxy.istio.io/config", out var proxyConfig), $"{d.Metadata.Name}: no proxy.istio.io/config");
            var drain = Rendered.ReadMap(proxyConfig!).Str("terminationDrainDuration") ?? throw new Xunit.Sdk.XunitException("no terminationDrainDuration");
            Assert.EndsWith("s", drain, StringComparison.Ordinal);
            var drainSeconds = int.Parse(drain[..^1], System.Globalization.CultureInfo.InvariantCulture);
            var c = Server(d);
            var exit = int.Parse(c.Env.Single(e => e.Name == "INFERENCEGRPC_Server__ExitTimeoutSecs").Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(drainSeconds >= c.Lifecycle.PreStop.Sleep.Seconds + exit, $"{d.Metadata.Name}: the proxy drains {drainSeconds} s, less than preStop + exit timeout");
            Assert.True(drainSeconds < d.Spec.Template.Spec.TerminationGracePeriodSeconds, "the drain must end before SIGKILL");
        }
    }

    private static V1Container Server(V1Deployment d) =>
        d.Spec.Template.Spec.Containers.SingleOrDefault(c => c.Name == "server")
        ?? throw new Xunit.Sdk.XunitException($"{d.Metadata.Name}: no container 'server'");

    private static IEnumerable<V1Container> AllContainers(V1Deployment d) =>
        d.Spec.Template.Spec.Containers.Concat(d.Spec.Template.Spec.InitContainers ?? []);

    private static bool Selects(IDictionary<string, string>? selector, IDictionary<string, string>? labels) =>
        selector is { Count: > 0 } && labels is not null && selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
