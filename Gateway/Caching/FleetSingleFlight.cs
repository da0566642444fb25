using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Caching;

/// <summary>
/// Fleet-wide single flight for cache misses: the first miss on a key, on any replica, takes a lease in Redis
/// (<c>SET NX PX</c>, <see cref="ResponseCacheOptions.LeaseTime"/>) and reads Strapi; a miss that finds the lease taken
/// looks for the holder's answer every <see cref="ResponseCacheOptions.LeasePoll"/>, up to
/// <see cref="ResponseCacheOptions.LeaseWait"/>, and takes the lease itself if the holder let it go without storing (an
/// error, an answer not kept). The lease goes when the answer is stored or the holder's request ends, or by expiry if
/// the holder died. Within a replica the output cache's own locking still makes one lookup and one Strapi read per key.
/// </summary>
internal sealed partial class FleetSingleFlight(
    ResponseCacheRedis redis,
    CacheRequest http,
    IOptionsMonitor<ResponseCacheOptions> options,
    TimeProvider time,
    ILogger<FleetSingleFlight> logger)
{
    /// <summary>KEYS: value, lease. ARGV: token, lease ms. The stored answer, else 1 if the lease was taken, else 0.</summary>
    private const string GetOrLeaseScript = """
        local value = redis.call('GET', KEYS[1])
        if value then return value end
        if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
        return 0
        """;

    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    private readonly ConcurrentDictionary<string, string> _held = new(StringComparer.Ordinal);

    public bool Enabled => options.CurrentValue.LeaseWait > TimeSpan.Zero;

    /// <summary>
    /// After a miss on <paramref name="key"/>: the answer another replica stored meanwhile, or null when this replica is to
    /// read Strapi (it now holds the lease, or it waited <see cref="ResponseCacheOptions.LeaseWait"/> in vain). Each Redis
    /// call is bounded by <see cref="ResponseCacheOptions.RedisTimeout"/>; a failure is thrown for the store to handle.
    /// </summary>
    public async ValueTask<byte[]?> AwaitAsync(string key, CancellationToken cancel)
    {
        var settings = options.CurrentValue;
        var token = Guid.NewGuid().ToString("N");
        var started = time.GetTimestamp();
        RedisKey[] keys = [ResponseCacheKeys.Value(key), ResponseCacheKeys.Lease(key)];
        RedisValue[] arguments = [token, (long)settings.LeaseTime.TotalMilliseconds];
        var db = redis.Database;
        while (true)
        {
            var result = await db.ScriptEvaluateAsync(GetOrLeaseScript, keys, arguments).WaitAsync(settings.RedisTimeout, time, cancel);
            if (result.Resp2Type == ResultType.BulkString)
            {
                return (byte[]?)result;
            }

            if ((long)result == 1)
            {
                Hold(key, token);
                return null;
            }

            if (time.GetElapsedTime(started) >= settings.LeaseWait)
            {
                LogWaitedInVain(logger, settings.LeaseWait);
                return null;
            }

            await Task.Delay(settings.LeasePoll, time, cancel);
        }
    }

    /// <summary>Lets go of this replica's lease on <paramref name="key"/>, if it holds one (fire and forget: at worst it expires).</summary>
    public void Release(string key)
    {
        if (_held.TryRemove(key, out var token))
        {
            ReleaseToken(key, token);
        }
    }

    private void Hold(string key, string token)
    {
        _held[key] = token;

        // The holder's request ends without storing (Strapi failed, the answer is not kept): waiters need not wait longer.
        http.HttpContext?.Response.OnCompleted(() =>
        {
            if (_held.TryRemove(new KeyValuePair<string, string>(key, token)))
            {
                ReleaseToken(key, token);
            }

            return Task.CompletedTask;
        });
    }

    private void ReleaseToken(string key, string token)
    {
        try
        {
            _ = redis.Database.ScriptEvaluateAsync(ReleaseScript, [ResponseCacheKeys.Lease(key)], [token], CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // Not connected: the lease expires by itself.
        }
    }

    [LoggerMessage(EventId = 11050, Level = LogLevel.Debug,
        Message = "Response cache: no answer from the lease holder within {Wait}; reading Strapi here")]
    private static partial void LogWaitedInVain(ILogger logger, TimeSpan wait);
}
