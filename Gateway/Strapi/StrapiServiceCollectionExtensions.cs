using Gateway.Hosting;

using Microsoft.Extensions.Options;

namespace Gateway.Strapi;

internal static class StrapiServiceCollectionExtensions
{
    public static IServiceCollection AddStrapi(this IServiceCollection services)
    {
        services.AddOptions<StrapiOptions>()
            .BindConfiguration(StrapiOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => UpstreamUri.IsHttp(o.BaseUrl), "Strapi:BaseUrl must be an absolute http(s) URL.")
            .ValidateOnStart();

        services.AddHttpClient<StrapiHealthCheck>((sp, http) =>
        {
            var options = sp.GetRequiredService<IOptions<StrapiOptions>>().Value;
            http.BaseAddress = options.BaseUrl;
            http.Timeout = options.HealthTimeout;
        });
        return services;
    }
}
