using System.ComponentModel.DataAnnotations;

namespace Gateway.Caching;

/// <summary>The response cache of Strapi reads, shared by every replica through Redis. Section <c>ResponseCache</c>.</summary>
public sealed class ResponseCacheOptions
{
    public const string SectionName = "ResponseCache";

    /// <summary>Off: every read goes to Strapi (the policies stay, so <c>yarp.json</c> still names them).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long an answer is kept: the bound on staleness when Strapi's webhooks are lost.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The shared secret Strapi's webhooks carry in <c>X-Strapi-Webhook-Secret</c>. Unset: the webhook endpoint is off.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>
    /// An answer with a larger body is passed on but not kept, gets no <c>ETag</c> and no stale copy: the most the gateway
    /// holds of one answer in memory before it sends it.
    /// </summary>
    [Range(1024, 256 * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// How long past its <see cref="Lifetime"/> each read's last good answer is kept (in Redis, untouched by evictions) to
    /// stand in when Strapi fails: answers 5xx, does not answer within <see cref="StaleWait"/>, or refuses. Zero: off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan StaleIfError { get; set; } = TimeSpan.FromDays(1);

    /// <summary>With a stale copy at hand, how long a read waits for Strapi's answer to start before the copy is served.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:30")]
    public TimeSpan StaleWait { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long each replica also keeps an answer in its own memory, so a hit usually costs no Redis round trip. Evictions
    /// reach every replica's memory at once through Redis pub/sub; this bounds staleness if one is missed. Zero: off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan MemoryLifetime { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The most each replica keeps in memory (bytes of stored answers).</summary>
    [Range(1024, long.MaxValue)]
    public long MemoryBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Longest wait for Redis on a cache read or write; past it, the request goes on without the cache.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:10")]
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>After Redis failed, the cache is skipped this long before it is tried again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The cached Strapi collections, by the name routes give as their <c>OutputCachePolicy</c> (also the eviction tag):
    /// the Strapi model whose webhooks evict it, and the collections whose answers embed it (evicted with it, both ways).
    /// </summary>
    public Dictionary<string, CachedStrapiType> Collections { get; } = new(StringComparer.Ordinal);
}
