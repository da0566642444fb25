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
    /// The Redis the cache's entries live in (a StackExchange.Redis configuration string). Empty: the gateway's own
    /// <c>Redis:Configuration</c>, where its state is (redirect table, key ring, sessions, limits). A Redis of its own
    /// (<c>allkeys-lru</c>, no persistence) is what a large fleet should use; see the README, "Response cache in Redis".
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>
    /// The logical database the cache's keys are kept in, apart from the state (database 0). 0 on a Redis Cluster (which
    /// has no other) or on a Redis of the cache's own.
    /// </summary>
    [Range(0, 15)]
    public int Database { get; set; } = 1;

    /// <summary>
    /// An answer is not stored while the cache's Redis uses more than this share of its <c>maxmemory</c> (read every 250 ms
    /// from <c>INFO memory</c>; no <c>maxmemory</c>: no check), so cache entries alone can never fill a Redis shared with
    /// state. 1: off.
    /// </summary>
    [Range(0.05, 1.0)]
    public double MaxMemoryShare { get; set; } = 0.75;

    /// <summary>The most live entries one collection (tag) holds; past it, answers are served but not stored. 0: no bound.</summary>
    [Range(0, int.MaxValue)]
    public int MaxEntriesPerCollection { get; set; } = 20_000;

    /// <summary>
    /// The most distinct cached URLs one client (its address) adds per <see cref="ClientWindow"/>, counted fleet-wide in
    /// Redis (a HyperLogLog per client and window); past it, that client's answers are served but not stored. 0: no bound.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int MaxQueriesPerClient { get; set; } = 2_000;

    /// <summary>The window <see cref="MaxQueriesPerClient"/> counts in.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ClientWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Fleet-wide single flight: a miss takes a lease on its key in Redis for this long (released when the answer is
    /// stored or the request ends; a holder that dies releases by expiry), so one replica reads Strapi while the others wait.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan LeaseTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a miss that did not get the lease waits for the holder's answer to appear in Redis before it reads Strapi
    /// itself (then per replica: the output cache's own locking). Zero: no fleet-wide single flight.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:30")]
    public TimeSpan LeaseWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often a waiting miss looks for the holder's answer.</summary>
    [Range(typeof(TimeSpan), "00:00:00.005", "00:00:01")]
    public TimeSpan LeasePoll { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How often an eviction that could not reach Redis is tried again in the background, until it is delivered.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan EvictionRetry { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The cached Strapi collections, by the name routes give as their <c>OutputCachePolicy</c> (also the eviction tag):
    /// the Strapi model whose webhooks evict it, and the collections whose answers embed it (evicted with it, both ways).
    /// </summary>
    public Dictionary<string, CachedStrapiType> Collections { get; } = new(StringComparer.Ordinal);
}
