using InferenceGrpc.Core.Diagnostics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace InferenceGrpc.Server.Hosting;

/// <summary>
/// OpenTelemetry wiring: our meter plus ASP.NET Core, Kestrel and .NET runtime metrics, exported for Prometheus on
/// the metrics port and over OTLP when an endpoint is configured; traces (continuing the caller's W3C context)
/// only when OTLP is configured, so an untraced server pays nothing for spans.
/// </summary>
internal static class TelemetrySetup
{
    public static void AddServerTelemetry(this IServiceCollection services, ServerOptions options)
    {
        services.AddMetrics();
        services.AddSingleton<InferenceMetrics>();
        var otlp = string.IsNullOrWhiteSpace(options.OtlpEndpoint) ? null : new Uri(options.OtlpEndpoint);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("inferencegrpc"))
            .WithMetrics(metrics =>
            {
                metrics
                    .AddMeter(InferenceMetrics.MeterName)
                    .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
                    .AddRuntimeInstrumentation()
                    // Three runtime gauges end in "_count", which Prometheus reserves for histograms and summaries
                    // (promtool rejects them): export them under names that say what they count.
                    .AddView("dotnet.assembly.count", new MetricStreamConfiguration { Name = "dotnet.assembly.loaded" })
                    .AddView("dotnet.process.cpu.count", new MetricStreamConfiguration { Name = "dotnet.process.cpu.cores" })
                    .AddView("dotnet.timer.count", new MetricStreamConfiguration { Name = "dotnet.timer.active" });
                if (options.AllowMetrics)
                {
                    metrics.AddPrometheusExporter();
                }

                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(o => o.Endpoint = otlp);
                }
            });

        if (otlp is not null)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(InferenceTracing.SourceName)
                .AddAspNetCoreInstrumentation()
                .AddOtlpExporter(o => o.Endpoint = otlp));
        }
    }
}
