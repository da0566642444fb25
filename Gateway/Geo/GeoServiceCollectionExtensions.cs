using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Geo;

internal static class GeoServiceCollectionExtensions
{
    public static IServiceCollection AddGeo(this IServiceCollection services)
    {
        services.AddOptions<GeoOptions>()
            .BindConfiguration(GeoOptions.SectionName)
            .Validate(o => o.Routes.All(r => CountryCode.Normalize(r.Key) is not null && r.Value.StartsWith('/') && !r.Value.StartsWith("//", StringComparison.Ordinal)),
                "Geo:Routes maps two-letter country codes to paths on this origin (\"FR\": \"/api/v2/invoices/fr\").")
            .Validate(o => o.ApiTimeout > TimeSpan.Zero && o.ApiTimeout <= TimeSpan.FromSeconds(10), "Geo:ApiTimeout must be between 0 and 10 seconds.")
            .Validate(o => o.ApiCacheTime > TimeSpan.Zero && o.ApiMemoryCacheSize >= 0 && o.ApiRetryAfter >= TimeSpan.Zero,
                "Geo:ApiCacheTime must be positive, Geo:ApiMemoryCacheSize and Geo:ApiRetryAfter not negative.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TrustedProxies>();
        services.AddOptions<ForwardedHeadersOptions>().Configure<TrustedProxies>((forwarded, trusted) => trusted.Configure(forwarded));
        services.AddSingleton<GeoDatabase>();

        // The resolvers, in the order they are asked.
        services.AddSingleton<ICountryResolver, CdnHeaderCountryResolver>();
        services.AddSingleton<ICountryResolver, DatabaseCountryResolver>();
        services.AddSingleton<ICountryResolver, GeoApiCountryResolver>();
        services.AddHttpClient(GeoApiCountryResolver.HttpClientName, (sp, http) =>
        {
            var options = sp.GetRequiredService<IOptions<GeoOptions>>().Value;
            http.BaseAddress = options.ApiBaseUrl;
            http.Timeout = options.ApiTimeout;
        });
        services.AddMetrics();
        services.AddSingleton<GeoMetrics>();
        services.AddSingleton<GeoRerouteTransform>();
        return services;
    }

    /// <summary>
    /// With trusted proxies configured: notes whether the connection comes from one, then lets ASP.NET Core's
    /// forwarded-headers middleware take the client's address from <c>X-Forwarded-For</c>. Without: nothing to do.
    /// </summary>
    public static IApplicationBuilder UseGeoClientAddress(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        var trusted = app.ApplicationServices.GetRequiredService<TrustedProxies>();
        if (!trusted.Any)
        {
            return app;
        }

        app.Use((context, next) =>
        {
            var peer = context.Connection.RemoteIpAddress;
            context.Features.Set(peer is not null && trusted.Contains(peer) ? ClientAddressFeature.FromTrustedProxy : ClientAddressFeature.Direct);
            return next(context);
        });
        return app.UseForwardedHeaders();
    }
}
