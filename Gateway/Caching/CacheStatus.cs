using System.Globalization;
using Yarp.ReverseProxy.Model;

namespace Gateway.Caching;

/// <summary>
/// The <c>Cache-Status</c> header (RFC 9211) every cacheable read answers with: <c>edge-gateway; hit</c> when the answer
/// came from the cache, <c>edge-gateway; fwd=miss</c> when it came from Strapi, <c>edge-gateway; fwd=stale;
/// fwd-status=503; detail=stale</c> when Strapi failed and a stale copy stood in (<see cref="Answers.StrapiAnswersMiddleware"/>).
/// Also counts them. The feature a tracked read carries, so what comes after the cache knows the read is cacheable.
/// </summary>
internal sealed class CacheStatus
{
    public const string HeaderName = "Cache-Status";
    public const string Hit = "edge-gateway; hit";
    public const string Miss = "edge-gateway; fwd=miss";

    /// <summary>The start of a stale answer's value; <c>; fwd-status={status}; detail=stale</c> follows.</summary>
    public const string Stale = "edge-gateway; fwd=stale";

    private readonly HttpContext _http;
    private readonly string _policy;
    private readonly CacheMetrics _metrics;
    private bool _hit;
    private int _staleAfter;

    private CacheStatus(HttpContext http, string policy, CacheMetrics metrics, long generation)
    {
        _http = http;
        _policy = policy;
        _metrics = metrics;
        Generation = generation;
    }

    /// <summary>The eviction generation (<see cref="CacheEvictionSignal"/>) when the read came in.</summary>
    public long Generation { get; }

    /// <summary>The collection (policy) the read belongs to.</summary>
    public string Collection => _policy;

    /// <summary>Whether a stale copy answered (<see cref="MarkStale"/>): such an answer is never stored.</summary>
    public bool ServedStale => _staleAfter != 0;

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

    /// <summary>A stale copy answers, because Strapi answered <paramref name="upstreamStatus"/> (502/504: no answer).</summary>
    public void MarkStale(int upstreamStatus) => _staleAfter = upstreamStatus;

    private Task OnStarting()
    {
        if (_staleAfter != 0)
        {
            _http.Response.Headers[HeaderName] = string.Create(CultureInfo.InvariantCulture, $"{Stale}; fwd-status={_staleAfter}; detail=stale");
            _metrics.CountStale(_policy);
            return Task.CompletedTask;
        }

        // The middleware may find an entry and still not serve it (one another replica's clock dates a moment ahead);
        // then the proxy ran, and it is a miss.
        var hit = _hit && _http.Features.Get<IReverseProxyFeature>() is null;
        _http.Response.Headers[HeaderName] = hit ? Hit : Miss;
        _metrics.Count(hit, _policy);
        return Task.CompletedTask;
    }
}
