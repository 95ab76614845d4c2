using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Inference;
using InferenceGrpc.Core.Monitoring.Drift;
using InferenceGrpc.Server.Hosting;
using InferenceGrpc.TestModels;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace InferenceGrpc.Observability.Tests.Infrastructure;

/// <summary>
/// What the server really exports: a real server in-process (Kestrel on free loopback ports, CPU execution provider)
/// over one generated model, sent one good and one bad ModelInfer so that every inference_* series exists, then
/// scraped once on its metrics port.
/// </summary>
public sealed class ScrapeFixture : IAsyncLifetime
{
    public const string Model = "identity";

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly string _repository = Path.Combine(Path.GetTempPath(), "igrpc-observability-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;
    private readonly string _captures = Path.Combine(Path.GetTempPath(), "igrpc-observability-captures-" + Guid.NewGuid().ToString("N"));

    internal Exposition Scrape { get; private set; } = Exposition.Parse("");

    public async Task InitializeAsync()
    {
        TestModelFactory.WriteToRepository(_repository, Model, 1, TestModelFactory.Identity(TensorElementKind.Float, [null, 4]));
        // Version 2 mirrors its traffic to version 1 and both capture every request, so the capture and shadow series exist;
        // version 2, which every request reaches, ships a drift baseline, so the drift series exist too.
        TestModelFactory.WriteToRepository(_repository, Model, 2, TestModelFactory.Identity(TensorElementKind.Float, [null, 4]));
        File.WriteAllText(Path.Combine(_repository, Model, "config.json"), """
            {"version_policy": {"all": {}}, "parameters": {"capture.sample_rate": {"string_value": "1"},
             "shadow.version": {"string_value": "1"}, "shadow.fraction": {"string_value": "1"},
             "drift.sample_rate": {"string_value": "1"}, "drift.window": {"string_value": "10"},
             "drift.min_samples": {"string_value": "1"}}}
            """);
        WriteDriftBaseline(version: 2);
        _app = ServerHost.Build(new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Server:ModelRepository"] = _repository,
            ["Server:GrpcAddress"] = "127.0.0.1",
            ["Server:GrpcPort"] = "0",
            ["Server:MetricsPort"] = "0",
            ["Server:ExitTimeoutSecs"] = "5",
            ["OnnxRuntime:ExecutionProvider"] = "Cpu",
            ["Capture:Directory"] = _captures,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        await _app.StartAsync();

        using var channel = GrpcChannel.ForAddress(ServerHost.GrpcAddress(_app) ?? throw new InvalidOperationException("no gRPC address"));
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        await WaitReadyAsync(client);
        // The shadow candidate (version 1) must be ready too, or the mirrored request fails instead of being compared.
        var readyBy = DateTime.UtcNow + Bound;
        while (!(await client.ModelReadyAsync(new ModelReadyRequest { Name = Model, Version = "1" })).Ready && DateTime.UtcNow < readyBy)
        {
            await Task.Delay(50);
        }

        await client.ModelInferAsync(Request("INPUT0"));
        // An input the model does not have: rejected by validation, so counted with outcome "invalid".
        await Assert.ThrowsAsync<RpcException>(() => client.ModelInferAsync(Request("NOT_AN_INPUT")).ResponseAsync);

        // The runtime's GC gauges report only once a collection has happened; this process is the server's.
        // The drift consumer runs in the background: fold the sampled row in now, so the drift gauges are in the scrape.
        _app.Services.GetRequiredService<DriftMonitor>().Flush();
        GC.Collect();
        Scrape = await ScrapeAsync(ServerHost.MetricsAddress(_app) ?? throw new InvalidOperationException("metrics are not served"));
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(_repository, recursive: true);
            if (Directory.Exists(_captures))
            {
                Directory.Delete(_captures, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    /// <summary>Drift monitoring on for the model (every request sampled, figures from the first row), so its series exist.</summary>
    private void WriteDriftBaseline(int version)
    {
        double[] reference = [-1, 0, 1, 2];
        var baseline = new DriftBaseline(4,
            [new InputBaseline("INPUT0", Enumerable.Range(0, 4).Select(i => BaselineBuilder.Feature(i, reference)).ToArray())],
            [BaselineBuilder.Classes("OUTPUT0", [0, 1, 2, 3], 4)]);
        File.WriteAllText(Path.Combine(_repository, Model, version.ToString(System.Globalization.CultureInfo.InvariantCulture), DriftBaseline.FileName), DriftBaselineJson.Write(baseline));
    }

    private static ModelInferRequest Request(string input)
    {
        var request = new ModelInferRequest { ModelName = Model };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = input, Datatype = "FP32", Shape = { 1, 4 } });
        request.RawInputContents.Add(ByteString.CopyFrom(new byte[16]));
        return request;
    }

    private static async Task WaitReadyAsync(GRPCInferenceService.GRPCInferenceServiceClient client)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!(await client.ModelReadyAsync(new ModelReadyRequest { Name = Model })).Ready)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"model '{Model}' was not ready within {Bound.TotalSeconds} s");
            }

            await Task.Delay(50);
        }
    }

    private static async Task<Exposition> ScrapeAsync(string address)
    {
        // A batch's execution and queue histograms are recorded just after its requests are answered, and the
        // exporter caches a scrape briefly: scrape until the last of them (the queue duration) is there.
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            var scrape = Exposition.Parse(await http.GetStringAsync(address + "/metrics"));
            // The shadow comparison runs after the answer, in the background: wait for its last series too.
            if (!scrape.HasSample("inference_shadow_duration_seconds_count") && DateTime.UtcNow <= deadline)
            {
                await Task.Delay(200);
                continue;
            }

            if (scrape.HasSample("inference_queue_duration_seconds_count"))
            {
                return scrape;
            }

            if (DateTime.UtcNow > deadline)
            {
                return scrape;   // the tests report what is missing
            }

            await Task.Delay(200);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ScrapeCollection : ICollectionFixture<ScrapeFixture>
{
    public const string Name = "scrape";
}
