using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
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

        var exporting = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointSetting]);
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName).AddEnvironmentVariableDetector())
            .WithMetrics(metrics => DropPerRequestDuplicates(metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(ExportedMeters)
                .AddPrometheusExporter()));
        if (settings.Traces ?? exporting)
        {
            // Only the W3C trace context is read from callers: no baggage from the Internet (and no work to parse it).
            Sdk.SetDefaultTextMapPropagator(new TraceContextPropagator());
            otel.WithTracing(tracing => tracing
                .SetSampler(sp =>
                {
                    var options = sp.GetRequiredService<IOptions<TelemetryOptions>>().Value;
                    return EdgeSampler.Create(options.TraceSampleRatio, options.TrustCallerSampling);
                })
                .AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = context => !IsUntraced(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddRedisInstrumentation());
        }

        if (exporting)
        {
            otel.UseOtlpExporter();
        }

        services.AddSingleton<ManagementServer>();
        services.AddHostedService(sp => sp.GetRequiredService<ManagementServer>());
        return builder;
    }

    /// <summary>
    /// Instruments updated on every request (or every buffer) that say nothing the exported ones do not: Kestrel's memory
    /// pool counters (several updates per request; the runtime's GC and working-set metrics show memory), routing's
    /// match attempts (the request duration's count, by route), authentication's duration (the request's, and the
    /// Strapi calls' own), the rate limiter's lease duration and active leases (the request's duration and active
    /// requests); HttpClient's open connections and active requests (each flips twice per proxied request, under six
    /// tags: the costliest updates in a profile of a proxied request; for a proxy, requests in flight upstream are the
    /// server's active requests, and the client's request duration and time in the pool's queue show an upstream
    /// slowing or a pool running short). The rate limiter's request count, with its rejections, stays. Dropped
    /// instruments are not listened to, so ASP.NET Core and HttpClient skip recording them.
    /// </summary>
    internal static readonly string[] DroppedInstruments =
    [
        "aspnetcore.memory_pool.*",
        "aspnetcore.routing.match_attempts",
        "aspnetcore.authentication.authenticate.duration",
        "aspnetcore.rate_limiting.request_lease.duration",
        "aspnetcore.rate_limiting.active_request_leases",
        "http.client.open_connections",
        "http.client.active_requests",
    ];

    private static MeterProviderBuilder DropPerRequestDuplicates(MeterProviderBuilder metrics)
    {
        foreach (var instrument in DroppedInstruments)
        {
            metrics.AddView(instrument, MetricStreamConfiguration.Drop);
        }

        return metrics;
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
