using System.Runtime.InteropServices;
using Google.Protobuf;
using Inference;
using InferenceGrpc.Cli.Tests.Infrastructure;
using InferenceGrpc.Core.Monitoring.Drift;
using InferenceGrpc.Tests.Infrastructure;
using TensorMetadata = Inference.ModelMetadataResponse.Types.TensorMetadata;

namespace InferenceGrpc.Cli.Tests.Commands;

public sealed class BaselineCommandTests : IDisposable
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), $"infergrpc-baseline-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(_out);

    [Fact]
    public async Task Baseline_CsvWithoutServer_WritesTheFeaturesOfEveryColumn()
    {
        var lines = new[] { "a,b" }.Concat(Enumerable.Range(1, 100).Select(i => $"{i},{2 * i}"));
        using var data = TempFile.WithText(".csv", string.Join("\n", lines));

        var (exitCode, stdout, stderr) = await CliRunner.RunAsync(new FakeCallInvoker(), "baseline", "--data", data.Path, "--out", _out, "--input-name", "x");

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("100 rows, 2 features, 0 outputs", stdout, StringComparison.Ordinal);
        var baseline = DriftBaselineJson.Parse(await File.ReadAllTextAsync(_out));
        Assert.Equal(100, baseline.Rows);
        var input = Assert.Single(baseline.Inputs);
        Assert.Equal("x", input.Name);
        Assert.Equal([50.5, 101], input.Features.Select(f => f.Mean));
        Assert.Equal([100, 200], input.Features.Select(f => f.Max));
        var expected = BaselineBuilder.Feature(1, Enumerable.Range(1, 100).Select(i => 2.0 * i).ToArray());
        Assert.Equal(expected.BinEdges, input.Features[1].BinEdges);
        Assert.Equal(expected.Cdf, input.Features[1].Cdf);
        Assert.Empty(baseline.Outputs);
    }

    [Fact]
    public async Task Baseline_JsonLinesOfTwoInputs_NamesEachInput()
    {
        using var data = TempFile.WithText(".jsonl", "{\"x\": [[1, 2]], \"ids\": 5}\n{\"x\": [[3, null]], \"ids\": 7}\n");

        var (exitCode, _, stderr) = await CliRunner.RunAsync(new FakeCallInvoker(), "baseline", "-d", data.Path, "-o", _out);

        Assert.True(exitCode == 0, stderr);
        var baseline = DriftBaselineJson.Parse(await File.ReadAllTextAsync(_out));
        Assert.Equal(["x", "ids"], baseline.Inputs.Select(i => i.Name));
        Assert.Equal(2, baseline.Inputs[0].Features.Count);
        Assert.Equal(0.5, baseline.Inputs[0].Features[1].MissingRate);
        Assert.Equal(6, baseline.Inputs[1].Features[0].Mean);
    }

    [Fact]
    public async Task Baseline_NpyWithServer_RecordsTheModelsClassFrequencies()
    {
        // 10 rows of 2 features; the fake model predicts class 1 when x[0] > 6, else class 0.
        var values = Enumerable.Range(0, 20).Select(i => (float)i).ToArray();
        using var data = TempFile.WithBytes(".npy", NpyFile.Build(NpyFile.Header("<f4", "(10, 2)"), MemoryMarshal.AsBytes(values.AsSpan()).ToArray()));
        var invoker = Model();

        var (exitCode, _, stderr) = await CliRunner.RunAsync(invoker, "baseline", "-d", data.Path, "-o", _out, "-s", "http://fake", "-m", "m", "--batch-size", "4");

        Assert.True(exitCode == 0, stderr);
        var requests = invoker.UnaryRequests.OfType<ModelInferRequest>().ToList();
        Assert.Equal([4, 4, 2], requests.Select(r => r.Inputs[0].Shape[0]));
        Assert.All(requests, r => Assert.Equal("FP32", r.Inputs[0].Datatype));
        var baseline = DriftBaselineJson.Parse(await File.ReadAllTextAsync(_out));
        Assert.Equal("x", Assert.Single(baseline.Inputs).Name);
        var output = Assert.Single(baseline.Outputs);
        Assert.Equal(PredictionKind.Classes, output.Kind);
        Assert.Equal([0.4, 0.6], output.BinProportions);   // x[0] = 0, 2, 4, 6 → class 0; 8 .. 18 → class 1
    }

    [Fact]
    public async Task Baseline_PredictionsFile_RecordsScoresAndClasses()
    {
        using var data = TempFile.WithText(".csv", "a\n1\n2\n3\n4\n");
        using var predictions = TempFile.WithText(".jsonl",
            "{\"probs\": [0.9, 0.1], \"score\": 1}\n{\"probs\": [0.2, 0.8], \"score\": 2}\n{\"probs\": [0.3, 0.7], \"score\": 3}\n{\"probs\": [0.6, 0.4], \"score\": 4}\n");

        var (exitCode, _, stderr) = await CliRunner.RunAsync(new FakeCallInvoker(), "baseline", "-d", data.Path, "-o", _out, "--predictions", predictions.Path);

        Assert.True(exitCode == 0, stderr);
        var baseline = DriftBaselineJson.Parse(await File.ReadAllTextAsync(_out));
        Assert.Equal(PredictionKind.Classes, baseline.Outputs[0].Kind);
        Assert.Equal([0.5, 0.5], baseline.Outputs[0].BinProportions);
        Assert.Equal(("score", PredictionKind.Scores), (baseline.Outputs[1].Name, baseline.Outputs[1].Kind));
    }

    [Fact]
    public async Task Baseline_PredictionsOfOtherRowCount_IsABadInput()
    {
        using var data = TempFile.WithText(".csv", "a\n1\n2\n");
        using var predictions = TempFile.WithText(".csv", "p\n1\n");

        var (exitCode, _, stderr) = await CliRunner.RunAsync(new FakeCallInvoker(), "baseline", "-d", data.Path, "-o", _out, "--predictions", predictions.Path);

        Assert.Equal(2, exitCode);
        Assert.Contains("expected 2 prediction rows (one per dataset row), got 1", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Baseline_RowSizeDiffersFromTheModel_FailsNamingBoth()
    {
        using var data = TempFile.WithText(".csv", "a,b,c\n1,2,3\n");

        var (exitCode, _, stderr) = await CliRunner.RunAsync(Model(), "baseline", "-d", data.Path, "-o", _out, "-s", "http://fake", "-m", "m");

        Assert.Equal(2, exitCode);
        Assert.Contains("input 'x': expected 2 values per row (shape [-1,2]), got 3", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_out));
    }

    [Fact]
    public async Task Baseline_ServerWithoutModel_IsABadInput()
    {
        using var data = TempFile.WithText(".csv", "a\n1\n");

        var (exitCode, _, stderr) = await CliRunner.RunAsync(new FakeCallInvoker(), "baseline", "-d", data.Path, "-s", "http://fake");

        Assert.Equal(2, exitCode);
        Assert.Contains("--server needs --model", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Baseline_UnknownExtension_IsABadInput()
    {
        using var data = TempFile.WithText(".parquet", "x");

        var (exitCode, _, stderr) = await CliRunner.RunAsync(new FakeCallInvoker(), "baseline", "-d", data.Path, "-o", _out);

        Assert.Equal(2, exitCode);
        Assert.Contains("unsupported dataset extension '.parquet'", stderr, StringComparison.Ordinal);
    }

    /// <summary>A model with input x (FP32, 2 per row) and output probs (2 classes) that batches.</summary>
    private static FakeCallInvoker Model() => new FakeCallInvoker()
        .On<ModelMetadataRequest, ModelMetadataResponse>("ModelMetadata", r => new ModelMetadataResponse
        {
            Name = r.Name,
            Inputs = { new TensorMetadata { Name = "x", Datatype = "FP32", Shape = { -1, 2 } } },
            Outputs = { new TensorMetadata { Name = "probs", Datatype = "FP32", Shape = { -1, 2 } } },
        })
        .On<ModelInferRequest, ModelInferResponse>("ModelInfer", r =>
        {
            var x = MemoryMarshal.Cast<byte, float>(r.RawInputContents[0].Span);
            var rows = x.Length / 2;
            var probs = new float[rows * 2];
            for (var i = 0; i < rows; i++)
            {
                probs[(2 * i) + (x[2 * i] > 6 ? 1 : 0)] = 1;
            }

            var response = new ModelInferResponse { ModelName = r.ModelName };
            response.Outputs.Add(new ModelInferResponse.Types.InferOutputTensor { Name = "probs", Datatype = "FP32", Shape = { rows, 2 } });
            response.RawOutputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(probs.AsSpan())));
            return response;
        });
}
