using System.Net;
using Grpc.HealthCheck;
using InferenceGrpc.Core.Batching;
using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Monitoring.Capture;
using InferenceGrpc.Core.Monitoring.Shadow;
using InferenceGrpc.OnnxRuntime;
using InferenceGrpc.Server.Health;
using InferenceGrpc.Server.Interceptors;
using InferenceGrpc.Server.Monitoring;
using InferenceGrpc.Server.Services;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace InferenceGrpc.Server.Hosting;

/// <summary>Builds and runs the server: configuration (appsettings, environment, flags), services, endpoints.</summary>
public static class ServerHost
{
    /// <summary>Environment variables with this prefix are configuration: INFERENCEGRPC_Server__GrpcPort=9001.</summary>
    public const string EnvironmentPrefix = "INFERENCEGRPC_";

    /// <summary>Exit code for a bad command line or configuration.</summary>
    public const int ConfigurationError = 2;

    public static async Task<int> RunAsync(string[] args)
    {
        var flags = CommandLineFlags.Parse(args);
        if (flags.HelpRequested)
        {
            Console.Out.Write(CommandLineFlags.Usage());
            return 0;
        }

        if (flags.Errors.Count > 0)
        {
            await Console.Error.WriteLineAsync("error: " + string.Join("\nerror: ", flags.Errors) + "\n\n" + CommandLineFlags.Usage()).ConfigureAwait(false);
            return ConfigurationError;
        }

        WebApplication app;
        try
        {
            app = Build(flags.Values);

            // Validate every settings group before the host starts, so a bad value is one clear line on stderr
            // rather than a "hosting failed to start" stack trace.
            var failures = new List<string>();
            Validate<ServerOptions>(app.Services, failures);
            Validate<ModelLoaderOptions>(app.Services, failures);
            Validate<SchedulerOptions>(app.Services, failures);
            Validate<OnnxRuntimeOptions>(app.Services, failures);
            Validate<CaptureOptions>(app.Services, failures);
            Validate<ShadowOptions>(app.Services, failures);
            Validate<Core.Monitoring.Drift.DriftOptions>(app.Services, failures);
            if (failures.Count > 0)
            {
                await Console.Error.WriteLineAsync("error: " + string.Join("\nerror: ", failures)).ConfigureAwait(false);
                return ConfigurationError;
            }

            await app.StartAsync().ConfigureAwait(false);
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync("error: " + string.Join("\nerror: ", ex.Failures)).ConfigureAwait(false);
            return ConfigurationError;
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase))
        {
            // A value of the wrong type in appsettings.json or the environment (flags are checked by the parser).
            await Console.Error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return ConfigurationError;
        }

        await app.WaitForShutdownAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        return 0;
    }

    private static void Validate<T>(IServiceProvider services, List<string> failures)
        where T : class
    {
        try
        {
            _ = services.GetRequiredService<IOptions<T>>().Value;
        }
        catch (OptionsValidationException ex)
        {
            failures.AddRange(ex.Failures);
        }
    }

    /// <summary>Builds the application; <paramref name="overrides"/> win over every other configuration source.</summary>
    public static WebApplication Build(IReadOnlyDictionary<string, string?> overrides, Action<WebApplicationBuilder>? configure = null)
    {
        if (!BitConverter.IsLittleEndian)
        {
            // The protocol's raw tensors are little-endian and are reinterpreted in place.
            throw new PlatformNotSupportedException("InferenceGrpc needs a little-endian processor.");
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [],
            // appsettings.json ships beside the binary; the model repository path stays relative to the working directory.
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddEnvironmentVariables(EnvironmentPrefix);
        builder.Configuration.AddInMemoryCollection(overrides);

        var services = builder.Services;
        services.AddOptions<ServerOptions>().BindConfiguration(ServerOptions.Section).ValidateOnStart();
        services.AddOptions<ModelLoaderOptions>().BindConfiguration("Models").ValidateOnStart();
        services.AddOptions<OnnxRuntimeOptions>().BindConfiguration("OnnxRuntime").ValidateOnStart();
        services.AddOptions<SchedulerOptions>().BindConfiguration("Scheduler").ValidateOnStart();
        services.AddSingleton<IValidateOptions<SchedulerOptions>, SchedulerOptionsValidator>();
        services.AddSingleton<IValidateOptions<ServerOptions>, ServerOptionsValidator>();
        services.AddSingleton<IValidateOptions<ModelLoaderOptions>, ModelLoaderOptionsValidator>();
        services.AddOptions<CaptureOptions>().BindConfiguration(CaptureOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CaptureOptions>, CaptureOptionsValidator>();
        services.AddOptions<ShadowOptions>().BindConfiguration(ShadowOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ShadowOptions>, ShadowOptionsValidator>();

        var serverOptions = builder.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        if (serverOptions.LogVerbose > 0)
        {
            // Over appsettings' "Default": "Information", which would otherwise win over a minimum level.
            builder.Configuration.AddInMemoryCollection([new("Logging:LogLevel:Default", "Debug"), new("Logging:LogLevel:InferenceGrpc", "Debug")]);
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
        }

        if (serverOptions.LogFormat == "json")
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(Math.Max(0, serverOptions.ExitTimeoutSecs)));
        var endpoints = new ServerEndpoints { GrpcUsesTls = !string.IsNullOrEmpty(serverOptions.TlsCertificatePath) };
        services.AddSingleton(endpoints);
        services.AddSingleton<StreamTracker>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var address = IPAddress.TryParse(serverOptions.GrpcAddress, out var parsed) ? parsed : IPAddress.Any;
            // An out-of-range port would throw here, from WebApplication's constructor, before ValidateOnStart can
            // report it (with every other problem) as a configuration error: leave it to the validator, which
            // runs at start before Kestrel binds anything.
            if (serverOptions.GrpcPort is >= IPEndPoint.MinPort and <= IPEndPoint.MaxPort)
            {
                kestrel.Listen(address, serverOptions.GrpcPort, listen =>
                {
                    listen.Protocols = HttpProtocols.Http2;
                    Security.GrpcTls.Configure(listen, serverOptions);
                    endpoints.Grpc = listen;
                });
            }

            // Cleartext HTTP/2 and HTTP/1.1 cannot share a port: Prometheus scrapes a port of its own.
            if (serverOptions.AllowMetrics && serverOptions.MetricsPort is >= IPEndPoint.MinPort and <= IPEndPoint.MaxPort)
            {
                kestrel.Listen(address, serverOptions.MetricsPort, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    endpoints.Metrics = listen;
                });
            }

            // MaxReceiveMessageBytes bounds each request (grpc-dotnet checks the length prefix, answering
            // RESOURCE_EXHAUSTED). Kestrel's own 30,000,000-byte body cap, which grpc-dotnet lifts only for
            // streaming calls, would otherwise fail unary requests below that limit with UNKNOWN.
            kestrel.Limits.MaxRequestBodySize = null;

            // Concurrent calls (HTTP/2 streams) per client connection: past it the client queues new calls
            // itself (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS) instead of the server accepting unbounded work.
            kestrel.Limits.Http2.MaxStreamsPerConnection = serverOptions.MaxConcurrentStreamsPerConnection;
        });

        services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = serverOptions.MaxReceiveMessageBytes;
            o.MaxSendMessageSize = serverOptions.MaxSendMessageBytes;
            o.EnableDetailedErrors = false;
            o.Interceptors.Add<Security.ApiKeyInterceptor>();
            o.Interceptors.Add<ErrorMappingInterceptor>();
        });
        services.AddSingleton<Security.ApiKeyInterceptor>();
        services.AddGrpcReflection();
        services.AddSingleton<HealthServiceImpl>();
        services.AddSingleton<ServerHealth>();

        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ModelLoaderOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<OnnxRuntimeOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<SchedulerOptions>>().Value);
        services.AddSingleton(TimeProvider.System);
        services.AddServerTelemetry(serverOptions);
        services.AddOnnxRuntimeBackend();
        services.AddProcessorBackends();
        services.AddSingleton<ModelRegistry>();
        services.AddSingleton<BackendCatalog>();
        services.AddSingleton<ModelRepositoryLoader>();
        services.AddSingleton<InferenceExecutor>();
        services.AddSingleton<ModelLoadingService>();
        services.AddHostedService(sp => sp.GetRequiredService<ModelLoadingService>());
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<CaptureOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ShadowOptions>>().Value);
        services.AddPredictionCapture();
        services.AddShadowVersions();
        services.AddDriftMonitoring(serverOptions);

        configure?.Invoke(builder);
        var app = builder.Build();

        app.MapGrpcService<InferenceService>();
        app.MapGrpcService<HealthServiceImpl>();
        if (serverOptions.AllowReflection)
        {
            app.MapGrpcReflectionService();
        }
        if (serverOptions.AllowMetrics)
        {
            // Served on the metrics port only (its real port is known once bound, hence a predicate, not a host).
            app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
                context.Request.Path == "/metrics" && context.Connection.LocalPort == endpoints.Metrics?.IPEndPoint?.Port);
        }

        app.Lifetime.ApplicationStarted.Register(() => LogAddresses(app));
        return app;
    }

    /// <summary>The gRPC address Kestrel bound, with the real port when 0 was asked for.</summary>
    public static string? GrpcAddress(WebApplication app) => app.Services.GetRequiredService<ServerEndpoints>().GrpcAddress;

    /// <summary>The metrics address Kestrel bound, or null when metrics are off.</summary>
    public static string? MetricsAddress(WebApplication app) => app.Services.GetRequiredService<ServerEndpoints>().MetricsAddress;

    private static void LogAddresses(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ServerHost).FullName!);
        var endpoints = app.Services.GetRequiredService<ServerEndpoints>();
        if (endpoints.GrpcAddress is { } grpc)
        {
            HostLog.GrpcListening(logger, grpc);
        }

        if (endpoints.MetricsAddress is { } metrics)
        {
            HostLog.MetricsListening(logger, metrics + "/metrics");
        }
    }
}
