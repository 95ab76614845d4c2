using System.Globalization;
using System.Text.RegularExpressions;
using Grpc.Core;
using Inference;
using InferenceGrpc.Server.Hosting;
using InferenceGrpc.Server.Tests.Infrastructure;
using InferenceGrpc.TestModels;

namespace InferenceGrpc.Server.Tests.Diagnostics;

/// <summary>
/// A server of its own, driven with known traffic, then read three ways: Prometheus on the metrics port, Triton's
/// ModelStatistics RPC, and the timing parameters of each response. The counts must agree with the traffic.
/// </summary>
public sealed partial class TelemetryTests(TelemetryTests.Fixture fixture) : IClassFixture<TelemetryTests.Fixture>
{
    // Meters are process-wide listeners: other test servers in this process report too, so this server's models
    // have names of their own, and the counts below are exact for them.
    private const string Model = "telemetry_simple";
    private const string Idle = "telemetry_idle";
    private const int Successes = 7;
    private const int Invalid = 3;

    public sealed class Fixture : ServerFixtureBase, IAsyncLifetime
    {
        public string Scrape { get; private set; } = "";

        public ModelStatisticsResponse Statistics { get; private set; } = new();

        public List<ModelInferResponse> Responses { get; } = [];

        private protected override void Populate(TestRepository repository) =>
            repository.AddModel(Model, TestModelFactory.AddSub(TensorElementKind.Float, [null, 16]))
                .AddModel(Idle, TestModelFactory.Identity(TensorElementKind.Float, [null, 4]));

        async Task IAsyncLifetime.InitializeAsync()
        {
            await InitializeAsync();
            for (var i = 0; i < Successes; i++)
            {
                var request = Requests.Simple(Requests.Sequence(16, 1f), Requests.Sequence(16, 2f), id: $"ok{i}");
                request.ModelName = Model;
                Responses.Add(await Client.ModelInferAsync(request));
            }

            for (var i = 0; i < Invalid; i++)
            {
                var bad = Requests.For(Model).WithRaw("INPUT0", "FP32", [1, 16], new byte[64]);   // INPUT1 missing
                await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(bad).ResponseAsync);
            }

            await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(Requests.For("no_such_model")).ResponseAsync);
            Statistics = await Client.ModelStatisticsAsync(new ModelStatisticsRequest { Name = Model });

            using var http = new HttpClient();
            var address = ServerHost.MetricsAddress(Server.App) ?? throw new InvalidOperationException("metrics are not served");
            Scrape = await http.GetStringAsync(address + "/metrics");

            // Kept for .ci/run, which checks the exposition with promtool (Debian's prometheus package).
            var artifacts = Path.Combine(TestRepository.SourceRoot, "artifacts", "metrics");
            Directory.CreateDirectory(artifacts);
            await File.WriteAllTextAsync(Path.Combine(artifacts, "scrape.prom"), Scrape);
        }
    }

    [Fact]
    public void Metrics_RequestCounter_CountsEachOutcome()
    {
        Assert.Equal(Successes, Sample("inference_requests_total", Model, "1", outcome: "success"));
        Assert.Equal(Invalid, Sample("inference_requests_total", Model, "1", outcome: "invalid"));
        // An unknown model's name is not a label: it cannot grow the series. (Other servers in this process
        // count their unknown models in the same series, hence at least one.)
        Assert.True(Sample("inference_requests_total", "", "", outcome: "not_found") >= 1);
        Assert.DoesNotContain("no_such_model", fixture.Scrape);
    }

    [Fact]
    public void Metrics_RequestDurationHistogram_BucketsAddUpToTheRequests()
    {
        Assert.Equal(Successes, Sample("inference_request_duration_seconds_count", Model, "1", outcome: "success"));
        Assert.Equal(Successes, Sample("inference_request_duration_seconds_bucket", Model, "1", outcome: "success", le: "+Inf"));
        Assert.Equal(Successes, Sample("inference_queue_duration_seconds_count", Model, "1"));
        Assert.Contains("le=\"0.0001\"", fixture.Scrape);   // explicit buckets from 100 µs
        Assert.Contains("le=\"10\"", fixture.Scrape);
    }

    [Fact]
    public void Metrics_Executions_MatchRowsAndBatchSizes()
    {
        // Sequential callers: every request is its own execution of one row.
        Assert.Equal(Successes, Sample("inference_executions_total", Model, "1"));
        Assert.Equal(Successes, Sample("inference_inferences_total", Model, "1"));
        Assert.Equal(Successes, Sample("inference_batch_size_bucket", Model, "1", le: "1"));
        Assert.Equal(Successes, Sample("inference_compute_duration_seconds_count", Model, "1"));
    }

    [Fact]
    public void Metrics_Gauges_ReportQueueInflightAndReadiness()
    {
        Assert.Equal(0, Sample("inference_queue_depth", Model, "1"));
        Assert.Equal(0, Sample("inference_inflight", Idle, "1"));
        Assert.Equal(1, Sample("inference_model_ready", Idle, "1"));
    }

    [Fact]
    public void ModelStatistics_AfterKnownTraffic_CountsAgreeWithTheTraffic()
    {
        var stats = Assert.Single(fixture.Statistics.ModelStats);
        Assert.Equal(Model, stats.Name);
        Assert.Equal("1", stats.Version);
        Assert.Equal((ulong)Successes, stats.InferenceCount);
        Assert.Equal((ulong)Successes, stats.ExecutionCount);
        Assert.Equal((ulong)Successes, stats.InferenceStats.Success.Count);
        Assert.Equal((ulong)Invalid, stats.InferenceStats.Fail.Count);
        Assert.Equal((ulong)Successes, stats.InferenceStats.Queue.Count);
        Assert.Equal((ulong)Successes, stats.InferenceStats.ComputeInfer.Count);
        Assert.True(stats.InferenceStats.ComputeInfer.Ns > 0);
        Assert.True(stats.LastInference > 0);
        var batch = Assert.Single(stats.BatchStats);
        Assert.Equal(1UL, batch.BatchSize);
        Assert.Equal((ulong)Successes, batch.ComputeInfer.Count);
    }

    [Fact]
    public async Task ModelStatistics_AllModels_ListsEveryLoadedVersion()
    {
        var response = await fixture.Client.ModelStatisticsAsync(new ModelStatisticsRequest());

        Assert.Equal([Idle, Model], response.ModelStats.Select(s => s.Name));
    }

    [Fact]
    public async Task ModelStatistics_UnknownModel_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Client.ModelStatisticsAsync(new ModelStatisticsRequest { Name = "nope" }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public void ModelInfer_Response_CarriesServerTiming()
    {
        foreach (var response in fixture.Responses)
        {
            Assert.Equal(1, response.Parameters["batch_size"].Int64Param);
            Assert.True(response.Parameters["compute_time_us"].Int64Param > 0);
            Assert.True(response.Parameters["queue_time_us"].Int64Param >= 0);
        }
    }

    [Fact]
    public async Task MetricsPort_OtherPath_IsNotFound()
    {
        using var http = new HttpClient();
        var response = await http.GetAsync(ServerHost.MetricsAddress(fixture.Server.App) + "/other");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }

    private double Sample(string name, string model, string version, string? outcome = null, string? le = null)
    {
        foreach (Match match in SampleLine().Matches(fixture.Scrape))
        {
            if (match.Groups["name"].Value != name)
            {
                continue;
            }

            var labels = match.Groups["labels"].Value;
            if (labels.Contains($"model=\"{model}\"") && labels.Contains($"version=\"{version}\"") &&
                (outcome is null || labels.Contains($"outcome=\"{outcome}\"")) &&
                (le is null || labels.Contains($"le=\"{le}\"")))
            {
                return double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        Assert.Fail($"no sample {name} for model '{model}' version '{version}' outcome {outcome} le {le} in:\n{fixture.Scrape}");
        return 0;
    }

    [GeneratedRegex(@"^(?<name>[a-z_]+)\{(?<labels>[^}]*)\} (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex SampleLine();
}
