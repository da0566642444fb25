using System.Diagnostics.Metrics;

namespace Gateway.Caching;

/// <summary>Response cache instruments on the "Gateway" meter: <c>gateway.cache.hits</c> and <c>gateway.cache.misses</c>, by policy.</summary>
internal sealed class CacheMetrics
{
    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;

    public CacheMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(Gateway.Telemetry.GatewayMeter.Name);
        _hits = meter.CreateCounter<long>("gateway.cache.hits", "{request}", "Reads answered from the response cache");
        _misses = meter.CreateCounter<long>("gateway.cache.misses", "{request}", "Cacheable reads answered by Strapi");
    }

    public void Count(bool hit, string policy)
        => (hit ? _hits : _misses).Add(1, new KeyValuePair<string, object?>("policy", policy));
}
