using System.Diagnostics.Metrics;
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
            .WithMetrics(metrics => DropPerRequestDuplicates(OnlyThisHostsMeters(metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(ExportedMeters)
                .AddPrometheusExporter())));
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

    /// <summary>
    /// Only this host's meters, and the process's shared ones: an instrument on a meter another host's
    /// <see cref="IMeterFactory"/> created (another gateway or the management port's own server in this process) is dropped,
    /// so it is not listened to. The SDK subscribes to meters by name across the whole process and keys a metric by meter
    /// name, version and tags and the instrument's name, not by the meter itself: every host's "Gateway" (or ASP.NET Core's)
    /// instruments would share one metric here, and when another host is disposed its meters' completion deactivates
    /// that shared metric, so this host's own measurements stop being exported. Meters with no factory (the runtime's,
    /// HttpClient's without one) belong to the process and stay.
    /// </summary>
    /// <remarks>
    /// Views add up: a view that configures (rather than drops) an instrument would make a metric of another host's
    /// instrument again, so such a view must return null for the instruments <see cref="IsAnotherHosts"/> picks.
    /// </remarks>
    private static MeterProviderBuilder OnlyThisHostsMeters(MeterProviderBuilder metrics)
    {
        // The host's factory is known once its services are built: WithMetrics's builder defers configuration until then.
        var deferred = metrics as IDeferredMeterProviderBuilder
            ?? throw new InvalidOperationException("The metrics builder of AddOpenTelemetry().WithMetrics is expected to be deferred.");
        return deferred.Configure((services, builder) =>
        {
            var own = services.GetRequiredService<IMeterFactory>();
            builder.AddView(instrument => IsAnotherHosts(instrument, own) ? MetricStreamConfiguration.Drop : null);
        });
    }

    private static bool IsAnotherHosts(Instrument instrument, IMeterFactory own) =>
        instrument.Meter.Scope is IMeterFactory factory && !ReferenceEquals(factory, own);

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
