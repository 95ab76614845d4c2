namespace InferenceGrpc.Observability.Tests.PromQl;

public sealed class PromQlNamesTests
{
    [Fact]
    public void Of_HistogramQuantileWithGrouping_FindsTheBucketsAndEveryLabel()
    {
        var names = PromQlNames.Of(
            "histogram_quantile(0.99, sum by (model, version, le) (rate(inference_request_duration_seconds_bucket{job=~\"$job\", outcome=\"success\"}[$__rate_interval])))");

        var selector = Assert.Single(names.Selectors);
        Assert.Equal("inference_request_duration_seconds_bucket", selector.Metric);
        Assert.Equal(["job", "outcome"], selector.Labels);
        Assert.Equal(["model", "version", "le"], names.GroupingLabels);
    }

    [Fact]
    public void Of_GroupingAfterTheAggregation_IsReadAsLabels()
    {
        var names = PromQlNames.Of("sum(rate(inference_inferences_total[5m])) by (model) / sum without (outcome) (rate(inference_executions_total[5m]))");

        Assert.Equal(["inference_inferences_total", "inference_executions_total"], names.Metrics);
        Assert.Equal(["model", "outcome"], names.GroupingLabels);
    }

    [Fact]
    public void Of_VectorMatching_ReadsBothSidesAndTheirLabels()
    {
        var names = PromQlNames.Of(
            "dotnet_process_memory_working_set_bytes * on (job, instance) group_left (service_name) target_info{service_name=\"inferencegrpc\"}");

        Assert.Equal(["dotnet_process_memory_working_set_bytes", "target_info"], names.Metrics);
        Assert.Equal(["job", "instance", "service_name"], names.GroupingLabels);
        Assert.Equal(["service_name"], names.Selectors[1].Labels);
    }

    [Fact]
    public void Of_BareSelector_IsAMetric()
    {
        var names = PromQlNames.Of("inference_queue_depth > 100 and inference_model_ready == 1");

        Assert.Equal(["inference_queue_depth", "inference_model_ready"], names.Metrics);
    }

    [Fact]
    public void Of_StringsNumbersDurationsVariablesAndComments_AreSkipped()
    {
        var names = PromQlNames.Of("""
            # rate(not_a_metric[5m]) in a comment
            label_replace(rate(x_total{model=~"$model|a(b)", version!~'${version}'}[$__rate_interval:1m] offset 1h30m), "dst", "$1", "src", "(.*)")
              > 1.5e-3 * 0x1F + Inf - NaN or vector(0) unless on() (absent(y) bool == 2)
            """);

        Assert.Equal(["x_total", "y"], names.Metrics);
        Assert.Equal(["model", "version"], names.Selectors[0].Labels);
    }

    [Fact]
    public void Of_CountWithEqualityFilter_KeepsTheMetricOnly()
    {
        var names = PromQlNames.Of("count(inference_model_ready{model=~\"$model\"} == 0) or vector(0)");

        Assert.Equal(["inference_model_ready"], names.Metrics);
        Assert.Empty(names.GroupingLabels);
    }
}
