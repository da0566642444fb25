using System.Threading.RateLimiting;
using Gateway.Strapi;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;

namespace Gateway.Access;

/// <summary>
/// At most <see cref="RateLimitOptions.StrapiReadsPerClient"/> reads of Strapi at a time per client address, so one
/// client cannot hold all of the <c>strapi</c> cluster's connections (64) and starve everyone else. In the proxy
/// pipeline, so it counts only reads that go to Strapi: a cache hit never gets here. Over the limit: a 429 problem with
/// <c>Retry-After</c>, nothing forwarded. The limiter is ASP.NET Core's (System.Threading.RateLimiting), partitioned
/// by client as the routes' rate-limiter policies are; it is not one of them because those run before the cache.
/// </summary>
internal sealed class StrapiReadLimit : IDisposable
{
    private readonly PartitionedRateLimiter<string> _reads;

    public StrapiReadLimit(IOptions<AccessOptions> options)
    {
        var permits = options.Value.RateLimits.StrapiReadsPerClient;
        _reads = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetConcurrencyLimiter(client,
            _ => new ConcurrencyLimiterOptions { PermitLimit = permits, QueueLimit = 0 }));
    }

    public void Dispose() => _reads.Dispose();

    private async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        using var lease = _reads.AttemptAcquire(RateLimitSetup.ClientOf(context));
        if (!lease.IsAcquired)
        {
            await AccessProblems.TooManyAsync(context, TimeSpan.FromSeconds(1));
            return;
        }

        await next(context);
    }

    private static bool IsStrapiRead(HttpContext context)
        => (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            && string.Equals(context.GetReverseProxyFeature().Route.Config.ClusterId, StrapiOptions.ClusterId, StringComparison.OrdinalIgnoreCase);

    public static IReverseProxyApplicationBuilder Use(IReverseProxyApplicationBuilder proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);

        var limit = proxy.ApplicationServices.GetRequiredService<StrapiReadLimit>();
        proxy.Use((context, next) => IsStrapiRead(context) ? limit.InvokeAsync(context, next) : next(context));
        return proxy;
    }
}
