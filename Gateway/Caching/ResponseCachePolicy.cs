using Gateway.Compression;
using Gateway.Currency;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace Gateway.Caching;

/// <summary>
/// The output-cache policy a Strapi route names with <c>"OutputCachePolicy": "{collection}"</c> in <c>yarp.json</c>.
/// GET and HEAD: kept for <see cref="ResponseCacheOptions.Lifetime"/>, tagged with the collection, keyed by the exact
/// query string and the coding it goes out in (br, gzip, identity; and, on a currency view, by the rate it converts
/// with), only when Strapi answered 200 and nothing set a cookie.
/// POST, PUT, DELETE: a success evicts the collection before the answer goes out, so the next read sees the write.
/// Unlike ASP.NET Core's default policy it caches requests that carry credentials (a session cookie, a bearer token):
/// access control runs before the cache and every caller it lets through may read the same data.
/// </summary>
internal sealed class ResponseCachePolicy(string collection) : IOutputCachePolicy
{
    private const string QueryValue = "query";
    private const string RateValue = "rate";
    private const string CodingValue = "coding";

    public async ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        var options = http.RequestServices.GetRequiredService<IOptionsMonitor<ResponseCacheOptions>>().CurrentValue;
        if (!options.Enabled)
        {
            return;
        }

        var method = http.Request.Method;
        if (HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method))
        {
            http.Response.OnStarting(() => EvictAfterWriteAsync(http));
            return;
        }

        if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
        {
            return;
        }

        context.EnableOutputCaching = true;
        context.AllowCacheLookup = true;
        context.AllowCacheStorage = true;
        context.AllowLocking = true;
        context.ResponseExpirationTimeSpan = options.Lifetime;
        context.Tags.Add(collection);

        // The whole query string as sent: order and case matter to Strapi (sort=a&sort=b is not sort=b&sort=a).
        var rules = context.CacheVaryByRules;
        rules.VaryByHost = false;
        rules.VaryByValues[QueryValue] = http.Request.QueryString.Value ?? "";

        // One entry per coding (br, gzip, identity), kept as compressed and served as kept; never the raw Accept-Encoding.
        rules.VaryByValues[CodingValue] = CompressionExtensions.CodingOf(http);
        if (CurrencyOf(http) is { } currency)
        {
            var quote = await http.RequestServices.GetRequiredService<IExchangeRateProvider>().GetRateAsync(currency, cancellation);
            rules.VaryByValues[RateValue] = FormattableString.Invariant($"{quote.Code}|{quote.Rate}|{quote.Source}|{quote.AsOf:O}");
        }

        var services = http.RequestServices;
        CacheStatus.Track(http, collection, services.GetRequiredService<CacheMetrics>(), services.GetRequiredService<CacheEvictionSignal>().Generation);
    }

    public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(context);
        CacheStatus.MarkHit(context.HttpContext);
        return ValueTask.CompletedTask;
    }

    public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!Storable(context.HttpContext))
        {
            context.AllowCacheStorage = false;
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Whether a tracked read's answer may be kept and shared: a <c>200</c> from Strapi without <c>Set-Cookie</c>,
    /// <c>no-store</c> or <c>private</c>, not read across an eviction, not a stale copy. The stale copies follow the same rule.
    /// </summary>
    internal static bool Storable(HttpContext http)
    {
        var response = http.Response;
        // As Strapi sent it: a fresh answer's response may have started, and the gateway's own private marking must not stop it being kept.
        var cacheControl = PrivateAnswersExtensions.UpstreamCacheControl(http).ToString();
        var status = http.Features.Get<CacheStatus>();
        // An eviction since this read came in (a write here or elsewhere): Strapi's answer may predate it, so it is not kept.
        var evicted = status is not null && status.Generation != http.RequestServices.GetRequiredService<CacheEvictionSignal>().Generation;
        return !evicted
            && status?.ServedStale != true
            && response.StatusCode == StatusCodes.Status200OK
            && response.Headers.SetCookie.Count == 0
            && !cacheControl.Contains("no-store", StringComparison.OrdinalIgnoreCase)
            && !cacheControl.Contains("private", StringComparison.OrdinalIgnoreCase);
    }

    private async Task EvictAfterWriteAsync(HttpContext http)
    {
        if (http.Response.StatusCode is >= 200 and < 300)
        {
            // Not cancelled if the client leaves: the write is done, its eviction must be too (bounded by RedisTimeout).
            await http.RequestServices.GetRequiredService<CacheEviction>().EvictAsync(collection, http.Request.Method, CancellationToken.None);
        }
    }

    /// <summary>The currency of a route with the <c>CurrencyView</c> transform, whose answers depend on the rate.</summary>
    private static string? CurrencyOf(HttpContext http)
    {
        var route = http.GetEndpoint()?.Metadata.GetMetadata<RouteModel>();
        foreach (var transform in route?.Config.Transforms ?? [])
        {
            if (transform.TryGetValue(CurrencyViewTransformFactory.Key, out var currency))
            {
                return currency;
            }
        }

        return null;
    }
}
