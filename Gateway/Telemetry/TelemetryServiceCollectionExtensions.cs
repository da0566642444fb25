using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Telemetry;

internal static class TelemetryServiceCollectionExtensions
{
    /// <summary>The service name in traces and metrics, unless <c>OTEL_SERVICE_NAME</c> says otherwise.</summary>
    public const string ServiceName = "edge-gateway";

    /// <summary>The setting that turns the OTLP exporter on (the OpenTelemetry SDK reads its other OTLP settings itself).</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Meters exported besides the instrumentation packages' own: the gateway's, Kestrel's, ASP.NET Core's middleware's, resilience's.</summary>
    internal static readonly string[] ExportedMeters =
    [
        GatewayMeter.Name,
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics",
        "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Authentication",
        "Microsoft.AspNetCore.Authorization",
        "System.Net.Http",
        "System.Net.NameResolution",
        "Polly",
    ];

    private static readonly PathString[] UntracedPaths = ["/healthz", "/readyz", ManagementServer.MetricsPath];

    /// <summary>
    /// The outage log (always), and, unless <c>Telemetry:Enabled</c> is false, OpenTelemetry: traces of ASP.NET Core,
    /// outbound HTTP (YARP's calls to Strapi and the frontend, the rate and geo APIs) and Redis, sampled parent-based;
    /// metrics of ASP.NET Core, Kestrel, HttpClient, the runtime and the gateway's own meter, scraped by Prometheus on
    /// the management port; OTLP export of both when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
    /// </summary>
    public static WebApplicationBuilder AddGatewayTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var services = builder.Services;
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<UpstreamOutages>();
        services.Replace(ServiceDescriptor.Singleton<IForwarderHttpClientFactory, OutageForwarderHttpClientFactory>());
        services.AddHostedService<RedisOutageMonitor>();

        // Read once while building: the providers below are built from it.
        var settings = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (!settings.Enabled)
        {
            return builder;
        }

        var otel = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName).AddEnvironmentVariableDetector())
            .WithTracing(tracing => tracing
                .SetSampler(sp => new ParentBasedSampler(
                    new TraceIdRatioBasedSampler(sp.GetRequiredService<IOptions<TelemetryOptions>>().Value.TraceSampleRatio)))
                .AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = context => !IsUntraced(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddRedisInstrumentation())
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(ExportedMeters)
                .AddPrometheusExporter());
        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointSetting]))
        {
            otel.UseOtlpExporter();
        }

        services.AddSingleton<ManagementServer>();
        services.AddHostedService(sp => sp.GetRequiredService<ManagementServer>());
        return builder;
    }

    private static bool IsUntraced(PathString path)
    {
        foreach (var untraced in UntracedPaths)
        {
            if (path.Equals(untraced, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
