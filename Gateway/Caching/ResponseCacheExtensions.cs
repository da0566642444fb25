using Gateway.Caching.Answers;
using Gateway.Caching.Stale;
using Gateway.Redis;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.OutputCaching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Caching;

internal static class ResponseCacheExtensions
{
    /// <summary>
    /// ASP.NET Core output caching in the cache's Redis (<see cref="ResponseCacheRedis"/>: its own database, or its own
    /// server), wrapped so Redis trouble only skips the cache, misses are single-flight across the fleet and bounds keep
    /// any reader from filling Redis; one named policy per <c>ResponseCache:Collections</c> entry.
    /// </summary>
    public static IServiceCollection AddResponseCache(this IServiceCollection services)
    {
        services.AddOptions<ResponseCacheOptions>().BindConfiguration(ResponseCacheOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.Collections.Values.All(c => !string.IsNullOrWhiteSpace(c.Model)),
                "Each ResponseCache:Collections entry needs the Strapi model uid it caches, e.g. \"api::invoice.invoice\".")
            .Validate(o => o.Collections.Values.SelectMany(c => c.Related).All(o.Collections.ContainsKey),
                "ResponseCache:Collections:{name}:Related may name only other entries of ResponseCache:Collections.")
            .ValidateOnStart();

        services.AddOutputCache();
        services.AddOptions<OutputCacheOptions>().Configure<IOptions<ResponseCacheOptions>>((output, cache) =>
        {
            output.UseCaseSensitivePaths = true;
            output.MaximumBodySize = cache.Value.MaxBodyBytes;
            output.DefaultExpirationTimeSpan = cache.Value.Lifetime;
            foreach (var name in cache.Value.Collections.Keys)
            {
                output.AddPolicy(name, new ResponseCachePolicy(name));
            }
        });

        services.AddSingleton<ResponseCacheRedis>();
        services.AddStackExchangeRedisOutputCache(_ => { });
        services.AddOptions<RedisOutputCacheOptions>()
            .Configure<ResponseCacheRedis>((store, redis) => store.ConnectionMultiplexerFactory = () => Task.FromResult(redis.Connection));
        var redisStore = services.Last(d => d.ServiceType == typeof(IOutputCacheStore)).ImplementationType
            ?? throw new InvalidOperationException("The Redis output-cache store is not registered by type.");
        services.RemoveAll<IOutputCacheStore>();
        services.AddSingleton<IOutputCacheStore>(sp => ActivatorUtilities.CreateInstance<ResilientOutputCacheStore>(
            sp, (IOutputCacheStore)ActivatorUtilities.CreateInstance(sp, redisStore)));

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<CacheMetrics>();
        services.AddSingleton<CacheEvictionSignal>();
        services.AddHostedService(sp => sp.GetRequiredService<CacheEvictionSignal>());
        services.AddSingleton<CacheEviction>();
        services.AddSingleton<CacheRequest>();
        services.AddSingleton<FleetSingleFlight>();
        services.AddSingleton<CacheAdmission>();
        services.AddSingleton<StaleCopies>();
        return services;
    }

    /// <summary>The output cache; after access control, so it serves only callers access control let through.</summary>
    public static WebApplication UseResponseCache(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var request = app.Services.GetRequiredService<CacheRequest>();
        app.Use((context, next) => CacheRequest.Applies(context) ? request.RunAsync(context, next) : next(context));
        app.UseOutputCache();
        return app;
    }

    /// <summary>
    /// Right after the response cache, before the proxy: Strapi's answers get their <c>ETag</c> (and <c>304</c>), and
    /// cached reads their stale copy (<see cref="StrapiAnswersMiddleware"/>). Nothing that compresses may sit between this
    /// and the proxy: it hashes and keeps the answer as Strapi made it.
    /// </summary>
    public static WebApplication UseStrapiAnswers(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<StrapiAnswersMiddleware>();
        return app;
    }
}
