using System.Runtime.InteropServices;
using Inference;
using InferenceGrpc.Core.Tests.Monitoring;
using InferenceGrpc.Server.Tests.Infrastructure;
using InferenceGrpc.TestModels;

namespace InferenceGrpc.Server.Tests.Monitoring;

/// <summary>
/// Shadow versions over real gRPC, with generated Scale models of two versions each: the primary (version 2)
/// mirrors all its traffic to version 1. Identical versions show a zero difference and full argmax agreement; a
/// candidate that negates shows the known difference and disagrees; a candidate that is not served fails, counted,
/// and the callers never notice any of it.
/// </summary>
public sealed class ShadowEndToEndTests(ShadowEndToEndTests.Fixture fixture) : IClassFixture<ShadowEndToEndTests.Fixture>
{
    private const string Same = "shadow_same";
    private const string Negated = "shadow_negated";
    private const string Missing = "shadow_missing";
    private const string Malformed = "shadow_malformed";
    private const int Calls = 4;

    // Row [1,5,2,3]: the primary answers it unchanged; the negating candidate's largest |difference| is 2 × 5 = 10,
    // and its argmax is 0 (of -1,-5,-2,-3) against the primary's 1.
    private static readonly float[] Row = [1, 5, 2, 3];

    public sealed class Fixture : ServerFixtureBase
    {
        private const string Config = """
            {"version_policy": {"all": {}}, "parameters": {"shadow.version": {"string_value": "VERSION"}, "shadow.fraction": {"string_value": "1"}}}
            """;

        private protected override void Populate(TestRepository repository) =>
            repository.AddModel(Same, TestModelFactory.Scale(2f), version: 1).AddModel(Same, TestModelFactory.Scale(2f), version: 2)
                .AddConfig(Same, Config.Replace("VERSION", "1", StringComparison.Ordinal))
                .AddModel(Negated, TestModelFactory.Scale(-1f), version: 1).AddModel(Negated, TestModelFactory.Scale(1f), version: 2)
                .AddConfig(Negated, Config.Replace("VERSION", "1", StringComparison.Ordinal))
                .AddModel(Missing, TestModelFactory.Scale(1f), version: 2)
                .AddConfig(Missing, Config.Replace("VERSION", "5", StringComparison.Ordinal))
                .AddModel(Malformed, TestModelFactory.Scale(1f), version: 1)
                .AddConfig(Malformed, """{"parameters": {"shadow.version": {"string_value": "2"}}}""");
    }

    private async Task<List<float[]>> SendAsync(string model)
    {
        var answers = new List<float[]>();
        for (var i = 0; i < Calls; i++)
        {
            var response = await fixture.Client.ModelInferAsync(Requests.For(model, id: $"{model}-{i}").WithRaw("INPUT0", "FP32", [1, 4], Requests.Floats(Row)));
            Assert.Equal("2", response.ModelVersion);
            answers.Add(MemoryMarshal.Cast<byte, float>(response.RawOutputContents[0].Span).ToArray());
        }

        return answers;
    }

    [Fact]
    public async Task Load_ShadowVersionWithoutFraction_VersionUnavailableNamingTheMissingKey()
    {
        var index = await fixture.Client.RepositoryIndexAsync(new RepositoryIndexRequest());

        var entry = Assert.Single(index.Models, m => m.Name == Malformed);
        Assert.Equal("UNAVAILABLE", entry.State);
        Assert.Contains("'shadow.fraction'", entry.Reason, StringComparison.Ordinal);
        await RpcAssert.FailsAsync(Grpc.Core.StatusCode.Unavailable,
            fixture.Client.ModelInferAsync(Requests.For(Malformed).WithRaw("INPUT0", "FP32", [1, 4], Requests.Floats(Row))));
    }

    [Fact]
    public async Task ModelInfer_IdenticalCandidate_ZeroDifferenceAndFullAgreement()
    {
        using var metrics = new MetricRecorder(Same);

        var answers = await SendAsync(Same);

        await metrics.WaitUntilAsync(m => m.Sum("inference.shadow.requests", ("outcome", "compared")) >= Calls);
        Assert.All(answers, a => Assert.Equal(Row.Select(v => v * 2f), a));
        Assert.Equal(Enumerable.Repeat(0.0, Calls), metrics.Of("inference.shadow.max_abs_difference", ("version", "2"), ("candidate", "1")).Select(m => m.Value));
        Assert.Equal(Calls, metrics.Sum("inference.shadow.argmax", ("outcome", "agree")));
        Assert.Equal(0, metrics.Sum("inference.shadow.argmax", ("outcome", "disagree")));
    }

    [Fact]
    public async Task ModelInfer_NegatingCandidate_KnownDifferenceAndDisagreementWhileCallersGetThePrimary()
    {
        using var metrics = new MetricRecorder(Negated);

        var answers = await SendAsync(Negated);

        await metrics.WaitUntilAsync(m => m.Sum("inference.shadow.requests", ("outcome", "compared")) >= Calls);
        Assert.All(answers, a => Assert.Equal(Row, a));
        Assert.Equal(Enumerable.Repeat(10.0, Calls), metrics.Of("inference.shadow.max_abs_difference").Select(m => m.Value));
        Assert.Equal(0, metrics.Sum("inference.shadow.argmax", ("outcome", "agree")));
        Assert.Equal(Calls, metrics.Sum("inference.shadow.argmax", ("outcome", "disagree")));
        Assert.Equal(Calls, metrics.Of("inference.shadow.duration").Count);
    }

    [Fact]
    public async Task ModelInfer_CandidateNotServed_CallersSucceedAndTheFailuresAreCounted()
    {
        using var metrics = new MetricRecorder(Missing);

        var answers = await SendAsync(Missing);

        await metrics.WaitUntilAsync(m => m.Sum("inference.shadow.requests", ("outcome", "failed")) >= Calls);
        Assert.All(answers, a => Assert.Equal(Row, a));
        Assert.Equal(0, metrics.Sum("inference.shadow.requests", ("outcome", "compared")));
    }
}
