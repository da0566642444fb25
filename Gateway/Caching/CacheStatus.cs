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

    private CacheStatus(HttpContext http, string policy, CacheMetrics metrics)
    {
        _http = http;
        _policy = policy;
        _metrics = metrics;
    }

    /// <summary>Marks this read as cacheable: its answer gets the header and is counted, whichever way it goes.</summary>
    public static void Track(HttpContext http, string policy, CacheMetrics metrics)
    {
        var status = new CacheStatus(http, policy, metrics);
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
        _http.Response.Headers[HeaderName] = _hit ? Hit : Miss;
        _metrics.Count(_hit, _policy);
        return Task.CompletedTask;
    }
}
