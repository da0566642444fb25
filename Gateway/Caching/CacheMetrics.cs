using System.Diagnostics.Metrics;

namespace Gateway.Caching;

/// <summary>
/// Response cache instruments on the "Gateway" meter: <c>gateway.cache.hits</c> and <c>gateway.cache.misses</c>, by policy;
/// <c>gateway.cache.not_stored</c>, answers served but not kept because a bound refused them, by reason and policy.
/// </summary>
internal sealed class CacheMetrics
{
    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Counter<long> _notStored;

    public CacheMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(Gateway.Telemetry.GatewayMeter.Name);
        _hits = meter.CreateCounter<long>("gateway.cache.hits", "{request}", "Reads answered from the response cache");
        _misses = meter.CreateCounter<long>("gateway.cache.misses", "{request}", "Cacheable reads answered by Strapi");
        _notStored = meter.CreateCounter<long>("gateway.cache.not_stored", "{response}",
            "Answers served but not stored: a client over its distinct-URL bound, a collection at its entry bound, Redis memory");
    }

    public void Count(bool hit, string policy)
        => (hit ? _hits : _misses).Add(1, new KeyValuePair<string, object?>("policy", policy));

    public void NotStored(string reason, string policy)
        => _notStored.Add(1, new KeyValuePair<string, object?>("reason", reason), new KeyValuePair<string, object?>("policy", policy));
}
