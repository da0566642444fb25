using Yarp.ReverseProxy.Model;

namespace Gateway.Caching;

/// <summary>
/// The <c>Cache-Status</c> header (RFC 9211) every cacheable read answers with: <c>edge-gateway; hit</c> when the answer
/// came from the cache, <c>edge-gateway; fwd=miss</c> when it came from Strapi. Also counts hits and misses.
/// </summary>
internal sealed class CacheStatus
{
    public const string HeaderName = "Cache-Status";
    public const string Hit = "edge-gateway; hit";
    public const string Miss = "edge-gateway; fwd=miss";

    private readonly HttpContext _http;
    private readonly string _policy;
    private readonly CacheMetrics _metrics;
    private bool _hit;

    private CacheStatus(HttpContext http, string policy, CacheMetrics metrics, long generation)
    {
        _http = http;
        _policy = policy;
        _metrics = metrics;
        Generation = generation;
    }

    /// <summary>The eviction generation (<see cref="CacheEvictionSignal"/>) when the read came in.</summary>
    public long Generation { get; }

    /// <summary>Marks this read as cacheable: its answer gets the header and is counted, whichever way it goes.</summary>
    public static void Track(HttpContext http, string policy, CacheMetrics metrics, long generation)
    {
        var status = new CacheStatus(http, policy, metrics, generation);
        http.Features.Set(status);

        // At the start of the response, after the output cache copied a stored answer's headers (or captured a fresh one's),
        // so the header is never part of what is stored.
        http.Response.OnStarting(static state => ((CacheStatus)state).OnStarting(), status);
    }

    public static void MarkHit(HttpContext http)
    {
        if (http.Features.Get<CacheStatus>() is { } status)
        {
            status._hit = true;
        }
    }

    private Task OnStarting()
    {
        // The middleware may find an entry and still not serve it (one another replica's clock dates a moment ahead);
        // then the proxy ran, and it is a miss.
        var hit = _hit && _http.Features.Get<IReverseProxyFeature>() is null;
        _http.Response.Headers[HeaderName] = hit ? Hit : Miss;
        _metrics.Count(hit, _policy);
        return Task.CompletedTask;
    }
}
