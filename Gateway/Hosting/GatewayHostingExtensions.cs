using Gateway.Access;
using Gateway.Caching;
using Gateway.Compression;
using Gateway.Csv;
using Gateway.Currency;
using Gateway.Frontend;
using Gateway.Geo;
using Gateway.Redirects;
using Gateway.Redis;
using Gateway.Strapi;
using Gateway.Telemetry;

namespace Gateway.Hosting;

internal static class GatewayHostingExtensions
{
    /// <summary>Everything the gateway needs: options, Redis, the reverse proxy with its transforms, health, problem details.</summary>
    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Services.AddGracefulShutdown();
        builder.Services.AddGatewayRedis();
        builder.Services.AddStrapi();
        builder.Services.AddFrontend();
        builder.Services.AddRedirects();
        builder.Services.AddGeo();
        builder.Services.AddCurrencyConversion();
        builder.Services.AddCsvExports();
        builder.AddAccess();
        builder.AddGatewayTelemetry();
        builder.Services.AddResponseCache();
        builder.Services.AddGatewayCompression();
        builder.Services.AddGatewayErrors();
        builder.Services.AddGatewayHsts();

        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddConfigFilter<UpstreamAddressConfigFilter>()
            .AddTransformFactory<StrapiTransformFactory>()
            .AddTransformFactory<CurrencyViewTransformFactory>()
            .AddTransformFactory<CsvExportTransformFactory>()
            .AddTransformFactory<GeoTransformFactory>()
            .AddTransforms<StrapiTokenTransformProvider>()
            .AddTransforms<ForwardedCredentialsTransformProvider>()
            .AddTransforms<StrapiReadLimit>()
            .AddTransforms<StrapiHeadTransformProvider>()
            .AddTransforms<FrontendTransformProvider>();

        builder.Services.AddSingleton<ReadinessLog>();
        builder.Services.AddHealthChecks()
            .AddCheck<RedisHealthCheck>("redis", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<StrapiHealthCheck>("strapi", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<RedirectHealthCheck>("redirects", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<KeyRingHealthCheck>("keyring", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<ShutdownReadiness>("shutdown", tags: [HealthEndpoints.ReadyTag]);
        return builder;
    }
}
