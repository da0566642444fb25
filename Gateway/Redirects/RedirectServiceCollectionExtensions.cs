using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Redirects;

internal static class RedirectServiceCollectionExtensions
{
    public static IServiceCollection AddRedirects(this IServiceCollection services)
    {
        services.AddOptions<RedirectOptions>()
            .BindConfiguration(RedirectOptions.SectionName)
            .Validate(o => !string.IsNullOrEmpty(o.KeyPrefix), "Redirects:KeyPrefix must not be empty.")
            .Validate(o => o.MaxChain is > 0 and <= 64, "Redirects:MaxChain must be between 1 and 64.")
            .Validate(o => o.ResyncInterval > TimeSpan.Zero, "Redirects:ResyncInterval must be positive.")
            .Validate(o => o.LossCheckInterval > TimeSpan.Zero, "Redirects:LossCheckInterval must be positive.")
            .Validate(o => o.HitFlushInterval > TimeSpan.Zero, "Redirects:HitFlushInterval must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<RedirectSnapshot>();
        services.AddSingleton<RedirectValidator>();
        services.AddSingleton<RedisRedirectStore>();
        services.AddSingleton<RedirectLoader>();
        services.AddSingleton<RedirectImporter>();
        services.AddSingleton<RedirectEditor>();
        services.AddSingleton<RedirectHitStore>();
        services.AddSingleton<RedirectImportLease>();
        services.AddSingleton<RedirectListing>();
        services.AddSingleton<RedirectMetrics>();
        services.AddHostedService<RedirectSync>();
        services.AddHostedService<RedirectHitFlush>();
        return services;
    }

    /// <summary>The redirect table answers before anything else in the pipeline.</summary>
    public static IApplicationBuilder UseRedirects(this IApplicationBuilder app) => app.UseMiddleware<RedirectMiddleware>();
}
