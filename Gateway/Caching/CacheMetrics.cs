using System.Diagnostics.Metrics;

namespace Gateway.Caching;

/// <summary>
/// Response cache instruments on the "Gateway" meter, by policy: <c>gateway.cache.hits</c>, <c>gateway.cache.misses</c>,
/// <c>gateway.cache.stale</c> (reads answered with a stale copy because Strapi failed), and <c>gateway.cache.not_stored</c>
/// (answers served but not kept because a bound refused them, also by reason).
/// </summary>
internal sealed class CacheMetrics
{
    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Counter<long> _notStored;
    private readonly Counter<long> _stale;

    public CacheMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(Gateway.Telemetry.GatewayMeter.Name);
        _hits = meter.CreateCounter<long>("gateway.cache.hits", "{request}", "Reads answered from the response cache");
        _misses = meter.CreateCounter<long>("gateway.cache.misses", "{request}", "Cacheable reads answered by Strapi");
        _notStored = meter.CreateCounter<long>("gateway.cache.not_stored", "{response}",
            "Answers served but not stored: a client over its distinct-URL bound, a collection at its entry bound, Redis memory");
        _stale = meter.CreateCounter<long>("gateway.cache.stale", "{request}", "Cacheable reads answered with a stale copy because Strapi failed");
    }

    public void Count(bool hit, string policy)
        => (hit ? _hits : _misses).Add(1, new KeyValuePair<string, object?>("policy", policy));

    public void NotStored(string reason, string policy)
        => _notStored.Add(1, new KeyValuePair<string, object?>("reason", reason), new KeyValuePair<string, object?>("policy", policy));

    public void CountStale(string policy) => _stale.Add(1, new KeyValuePair<string, object?>("policy", policy));
}
