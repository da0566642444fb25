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

        services.AddOptions<StrapiQueryOptions>()
            .BindConfiguration(StrapiQueryOptions.SectionName)
            .Validate(o => o.MaxPageSize > 0 && o.MaxOffset >= 0 && o.MaxConditions > 0 && o.MaxLogicalDepth >= 0 && o.MaxValueLength > 0,
                "StrapiQuery: MaxPageSize, MaxConditions and MaxValueLength must be positive, MaxOffset and MaxLogicalDepth not negative.")
            .Validate(o => o.Operators.All(op => op.StartsWith('$')), "StrapiQuery:Operators are Strapi's operators, such as $eq.")
            .ValidateOnStart();
        services.AddSingleton<StrapiQueryPolicy>();

        services.AddHttpClient<StrapiHealthCheck>((sp, http) =>
        {
            var options = sp.GetRequiredService<IOptions<StrapiOptions>>().Value;
            http.BaseAddress = options.BaseUrl;
            http.Timeout = options.HealthTimeout;
        });
        return services;
    }
}
