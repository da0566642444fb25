using Gateway.Hosting;

namespace Gateway.Frontend;

internal static class FrontendServiceCollectionExtensions
{
    public static IServiceCollection AddFrontend(this IServiceCollection services)
    {
        services.AddOptions<FrontendOptions>()
            .BindConfiguration(FrontendOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => UpstreamUri.IsHttp(o.BaseUrl), "Frontend:BaseUrl must be an absolute http(s) URL.")
            .ValidateOnStart();
        return services;
    }
}
