using InferenceGrpc.Core.Monitoring.Drift;

namespace InferenceGrpc.Core.Tests.Monitoring.Drift;

public sealed class DriftBaselineJsonTests
{
    [Fact]
    public void WriteThenParse_BuiltBaseline_RoundTripsEveryNumber()
    {
        var random = new Random(11);
        var values = Enumerable.Range(0, 500).Select(_ => random.NextDouble() * 10).ToArray();
        var baseline = new DriftBaseline(500,
            [new InputBaseline("x", [BaselineBuilder.Feature(0, values), BaselineBuilder.Feature(2, values.Select(v => -v).ToArray())])],
            [BaselineBuilder.Classes("probs", [0, 1, 1], 2), BaselineBuilder.Scores("score", values)]);

        var parsed = DriftBaselineJson.Parse(DriftBaselineJson.Write(baseline));

        Assert.Equal(500, parsed.Rows);
        var input = Assert.Single(parsed.Inputs);
        Assert.Equal("x", input.Name);
        for (var i = 0; i < 2; i++)
        {
            var (a, b) = (baseline.Inputs[0].Features[i], input.Features[i]);
            Assert.Equal((a.Index, a.Mean, a.Std, a.Min, a.Max, a.MissingRate), (b.Index, b.Mean, b.Std, b.Min, b.Max, b.MissingRate));
            Assert.Equal(a.BinEdges, b.BinEdges);
            Assert.Equal(a.BinProportions, b.BinProportions);
            Assert.Equal(a.Quantiles, b.Quantiles);
            Assert.Equal(a.Cdf, b.Cdf);
        }

        Assert.Equal(PredictionKind.Classes, parsed.Outputs[0].Kind);
        Assert.Equal(baseline.Outputs[0].BinProportions, parsed.Outputs[0].BinProportions);
        Assert.Equal(baseline.Outputs[0].BinEdges, parsed.Outputs[0].BinEdges);
        Assert.Equal(PredictionKind.Scores, parsed.Outputs[1].Kind);
        Assert.Equal(baseline.Outputs[1].BinEdges, parsed.Outputs[1].BinEdges);
    }

    [Theory]
    [InlineData("\"format\": \"other/9\"", "format: expected \"inferencegrpc.drift.baseline/1\", got \"other/9\"")]
    [InlineData("\"extra\": 1", "$.extra: unknown field")]
    [InlineData("\"bin_edges\": [1, 1]", "inputs[0].features[0].bin_edges[1]: expected strictly increasing values, got 1 after 1")]
    [InlineData("\"bin_proportions\": [0.5, 0.4]", "inputs[0].features[0].bin_proportions: expected non-negative fractions summing to 1")]
    [InlineData("\"bin_proportions\": [1]", "inputs[0].features[0].bin_proportions: expected 2 values (one per bin), got 1")]
    [InlineData("\"cdf\": [0.5]", "inputs[0].features[0].cdf: expected 2 values (one per quantile), got 1")]
    [InlineData("\"cdf\": [0.9, 0.5]", "inputs[0].features[0].cdf[1]: expected a non-decreasing fraction")]
    [InlineData("\"min\": 5", "inputs[0].features[0]: expected min <= max, got min 5 and max 2")]
    [InlineData("\"missing_rate\": 2", "inputs[0].features[0].missing_rate: expected a fraction in [0, 1], got 2")]
    [InlineData("\"kind\": \"labels\"", "outputs[0].kind: expected \"classes\" or \"scores\", got \"labels\"")]
    [InlineData("\"rows\": \"many\"", "$.rows: expected a finite number, got String")]
    public void Parse_BadField_ThrowsNamingPathExpectedAndGot(string replacement, string message)
    {
        var json = Valid(replacement);

        var ex = Assert.Throws<DriftBaselineException>(() => DriftBaselineJson.Parse(json));

        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingField_SaysItIsRequired()
    {
        var json = Valid("\"std\": 0.5").Replace("\"mean\": 1,", "", StringComparison.Ordinal);

        var ex = Assert.Throws<DriftBaselineException>(() => DriftBaselineJson.Parse(json));

        Assert.Equal("inputs[0].features[0].mean: required field is missing", ex.Message);
    }

    [Fact]
    public void Parse_NotJson_SaysSo()
    {
        var ex = Assert.Throws<DriftBaselineException>(() => DriftBaselineJson.Parse("{ nope"));

        Assert.StartsWith("not valid JSON", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>A valid baseline with one field replaced (matched by its name).</summary>
    private static string Valid(string replacement)
    {
        var fields = new Dictionary<string, string>
        {
            ["format"] = "\"format\": \"inferencegrpc.drift.baseline/1\"",
            ["rows"] = "\"rows\": 10",
            ["mean"] = "\"mean\": 1",
            ["std"] = "\"std\": 0.5",
            ["min"] = "\"min\": 0",
            ["max"] = "\"max\": 2",
            ["missing_rate"] = "\"missing_rate\": 0",
            ["bin_edges"] = "\"bin_edges\": [1]",
            ["bin_proportions"] = "\"bin_proportions\": [0.5, 0.5]",
            ["quantiles"] = "\"quantiles\": [0, 2]",
            ["cdf"] = "\"cdf\": [0.1, 1]",
            ["kind"] = "\"kind\": \"classes\"",
        };
        var name = replacement[1..replacement.IndexOf('"', 1)];
        string extra = "";
        if (fields.ContainsKey(name))
        {
            fields[name] = replacement;
        }
        else
        {
            extra = replacement + ",";
        }

        return "{" + extra + fields["format"] + "," + fields["rows"] + ", \"inputs\": [{\"name\": \"x\", \"features\": [{\"index\": 0, " +
               fields["mean"] + "," + fields["std"] + "," + fields["min"] + "," + fields["max"] + "," + fields["missing_rate"] + "," +
               fields["bin_edges"] + "," + fields["bin_proportions"] + "," + fields["quantiles"] + "," + fields["cdf"] + "}]}]," +
               " \"outputs\": [{\"name\": \"y\", " + fields["kind"] + ", \"class_proportions\": [0.5, 0.5]}]}";
    }
}
