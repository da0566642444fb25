using StackExchange.Redis;

namespace Gateway.Caching;

/// <summary>
/// The response cache's Redis keys, all in <see cref="ResponseCacheRedis"/>'s database and all with a TTL. The first three
/// are the layout of ASP.NET Core's Redis output-cache store (no <c>InstanceName</c>), which the wrapper reads on a
/// lease wait and keeps expiring; <c>ResponseCacheStoreTests.EveryCacheKey_HasATtl</c> fails if that layout changes.
/// </summary>
internal static class ResponseCacheKeys
{
    private const string Prefix = "gateway:cache:";

    /// <summary>A stored answer (a string, expiring with the answer).</summary>
    public static RedisKey Value(string key) => "__MSOCV_" + key;

    /// <summary>A tag's sorted set of keys, scored by their expiry (ms since the epoch).</summary>
    public static RedisKey Tag(string tag) => "__MSOCT_" + tag;

    /// <summary>The sorted set of every tag, scored by its latest entry's expiry.</summary>
    public static readonly RedisKey Tags = "__MSOCT";

    /// <summary>The fleet-wide single-flight lease on a key: the holder's token, expiring after <see cref="ResponseCacheOptions.LeaseTime"/>.</summary>
    public static RedisKey Lease(string key) => Prefix + "lease:" + key;

    /// <summary>The distinct URLs one client added in one window (a HyperLogLog expiring with the window).</summary>
    public static RedisKey Client(string client, long window) => FormattableString.Invariant($"{Prefix}client:{client}:{window}");

    /// <summary>Set once a client went over its bound in a window: one log line per client and window across the fleet.</summary>
    public static RedisKey ClientReported(string client, long window) => FormattableString.Invariant($"{Prefix}client:{client}:{window}:reported");
}
