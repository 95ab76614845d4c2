using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Inference;
using InferenceGrpc.Core.Monitoring.Drift;
using InferenceGrpc.Server.Hosting;
using InferenceGrpc.Server.Tests.Infrastructure;
using InferenceGrpc.TestModels;
using Microsoft.Extensions.DependencyInjection;

namespace InferenceGrpc.Server.Tests.Monitoring;

/// <summary>
/// Drift monitoring end to end: a generated model (identity of 4 FP32 features, so its "prediction" is the argmax of
/// the input row) with a baseline.json beside it, real gRPC traffic, figures read from the monitor and the scrape.
/// </summary>
public sealed partial class DriftMonitoringTests
{
    private const string Model = "drift_identity";

    [Fact]
    public async Task ModelInfer_StableThenShiftedTraffic_GaugesCrossTheThresholdOnlyForTheShiftedFeature()
    {
        using var repository = Repository();
        await using var server = await RunningServer.StartAsync(repository.Root);
        var monitor = server.App.Services.GetRequiredService<DriftMonitor>();
        var random = new Random(3);

        await SendAsync(server, random, rows: 200, shift: 0);
        monitor.Flush();
        var stable = Assert.Single(monitor.Monitored, v => v.Model == Model).Figures!;

        await SendAsync(server, random, rows: 200, shift: 2);
        monitor.Flush();
        var scrape = await ScrapeAsync(server);

        Assert.All(stable.Psi, psi => Assert.InRange(psi, 0, 0.2));
        Assert.All(stable.Ks, ks => Assert.InRange(ks, 0, 0.1));
        Assert.InRange(scrape[("inference_drift_psi", "INPUT0[2]")], 0.2, 100);
        Assert.InRange(scrape[("inference_drift_ks", "INPUT0[2]")], 0.1, 1);
        foreach (var other in new[] { "INPUT0[0]", "INPUT0[1]", "INPUT0[3]" })
        {
            Assert.InRange(scrape[("inference_drift_psi", other)], 0, 0.2);
            Assert.InRange(scrape[("inference_drift_ks", other)], 0, 0.1);
        }

        // Shifting feature 2 makes it the argmax of most rows: the identity's "class" distribution drifts too.
        Assert.InRange(scrape[("inference_drift_prediction_psi", "OUTPUT0")], 0.2, 100);
        Assert.Equal(400, scrape[("inference_drift_samples_total", "")]);
        Assert.Equal(0, scrape[("inference_drift_dropped_total", "")]);
    }

    [Fact]
    public async Task RepositoryModelUnload_MonitoredVersion_ItsDriftSeriesLeaveTheScrape()
    {
        using var repository = Repository();
        await using var server = await RunningServer.StartAsync(repository.Root, new Dictionary<string, string?>
        {
            ["Server:ModelControlMode"] = "explicit",
            ["Server:LoadModel:0"] = Model,
        });
        var monitor = server.App.Services.GetRequiredService<DriftMonitor>();
        await SendAsync(server, new Random(5), rows: 120, shift: 0);
        monitor.Flush();
        Assert.True((await ScrapeAsync(server)).ContainsKey(("inference_drift_psi", "INPUT0[0]")));

        await server.Client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = Model });

        Assert.DoesNotContain(monitor.Monitored, v => v.Model == Model);
        // The exporter caches a scrape briefly: scrape until this model's series are gone, within a bound.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        Dictionary<(string, string), double> scrape;
        while ((scrape = await ScrapeAsync(server)).Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.Empty(scrape);
    }

    /// <summary>The identity model, sampling every request, with its baseline.</summary>
    private static TestRepository Repository()
    {
        var repository = new TestRepository()
            .AddModel(Model, TestModelFactory.Identity(TensorElementKind.Float, [null, 4]))
            .AddConfig(Model, """
                {"parameters": {"drift.sample_rate": {"string_value": "1"}, "drift.window": {"string_value": "200"},
                                "drift.min_samples": {"string_value": "100"}}}
                """);
        File.WriteAllText(Path.Combine(repository.Root, Model, "1", DriftBaseline.FileName), DriftBaselineJson.Write(Baseline()));
        return repository;
    }

    /// <summary>2000 training rows, four features ~ N(0, 1).</summary>
    private static DriftBaseline Baseline()
    {
        var random = new Random(1);
        var rows = Enumerable.Range(0, 2000).Select(_ => Enumerable.Range(0, 4).Select(_ => Normal(random)).ToArray()).ToArray();
        var features = Enumerable.Range(0, 4).Select(f => BaselineBuilder.Feature(f, rows.Select(r => r[f]).ToArray())).ToList();
        var classes = rows.Select(r => (int)BaselineBuilder.Summarise(PredictionKind.Classes, r)).ToArray();
        return new DriftBaseline(2000, [new InputBaseline("INPUT0", features)], [BaselineBuilder.Classes("OUTPUT0", classes, 4)]);
    }

    private static async Task SendAsync(RunningServer server, Random random, int rows, double shift)
    {
        const int perRequest = 4;
        for (var sent = 0; sent < rows; sent += perRequest)
        {
            var values = new float[perRequest * 4];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (float)(Normal(random) + (i % 4 == 2 ? shift : 0));
            }

            var request = new ModelInferRequest { ModelName = Model };
            request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "INPUT0", Datatype = "FP32", Shape = { perRequest, 4 } });
            request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())));
            var response = await server.Client.ModelInferAsync(request);
            Assert.Equal(values, MemoryMarshal.Cast<byte, float>(response.RawOutputContents[0].Span).ToArray());
        }
    }

    /// <summary>This model's drift series from one scrape: (family, feature or output label) → value.</summary>
    private static async Task<Dictionary<(string, string), double>> ScrapeAsync(RunningServer server)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(ServerHost.MetricsAddress(server.App) + "/metrics");
        var series = new Dictionary<(string, string), double>();
        foreach (Match m in Sample().Matches(text))
        {
            var labels = m.Groups["labels"].Value;
            if (!labels.Contains($"model=\"{Model}\"", StringComparison.Ordinal))
            {
                continue;
            }

            var label = Label().Match(labels) is { Success: true } l ? l.Groups["value"].Value : "";
            series[(m.Groups["name"].Value, label)] = double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        return series;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [GeneratedRegex(@"^(?<name>inference_drift_\w+)\{(?<labels>[^}]*)\} (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Sample();

    [GeneratedRegex(@"(?:feature|output)=""(?<value>[^""]*)""")]
    private static partial Regex Label();
}
