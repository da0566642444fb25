using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Caching;

/// <summary>
/// Whether a fresh answer may be stored, so no reader can fill Redis: at most <see cref="ResponseCacheOptions.MaxQueriesPerClient"/>
/// distinct URLs per client and window (counted fleet-wide), at most <see cref="ResponseCacheOptions.MaxEntriesPerCollection"/>
/// live entries per collection, and nothing while Redis is above <see cref="ResponseCacheOptions.MaxMemoryShare"/> of its
/// <c>maxmemory</c>. A refused answer is still served; it is counted (<c>gateway.cache.not_stored</c>) and logged once per
/// client and window (per collection: once per window on each replica; memory: once when it starts and when it ends).
/// Also gives the output-cache store's tag sets a TTL, which that store does not: every cache key expires.
/// </summary>
internal sealed partial class CacheAdmission(
    ResponseCacheRedis redis,
    CacheRequest http,
    IOptionsMonitor<ResponseCacheOptions> options,
    CacheMetrics metrics,
    TimeProvider time,
    ILogger<CacheAdmission> logger)
{
    /// <summary>KEYS: client set, client reported flag (both absent without a client bound), then tag sets. ARGV: URL, client bound, window ms, now ms, collection bound.</summary>
    private const string AdmitScript = """
        local bound = tonumber(ARGV[2])
        if bound > 0 then
          if redis.call('PFADD', KEYS[1], ARGV[1]) == 1 and redis.call('PTTL', KEYS[1]) < 0 then
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
          end
          if redis.call('PFCOUNT', KEYS[1]) > bound then
            if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[3]) then return 11 end
            return 1
          end
        end
        local entries = tonumber(ARGV[5])
        if entries > 0 then
          for i = 3, #KEYS do
            if redis.call('ZCOUNT', KEYS[i], '(' .. ARGV[4], '+inf') >= entries then return 2 end
          end
        end
        return 0
        """;

    /// <summary>Each key in KEYS that exists lives at least ARGV[1] ms more.</summary>
    private const string ExpireScript = """
        for i = 1, #KEYS do
          local ttl = redis.call('PTTL', KEYS[i])
          if ttl ~= -2 and ttl < tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
        end
        return 0
        """;

    /// <summary>A tag set outlives its entries by this much (the store scores them by this host's clock, Redis expires by its own).</summary>
    private static readonly TimeSpan TagMargin = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan MemoryCheckInterval = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<string, long> _collectionReported = new(StringComparer.Ordinal);
    private long _memoryCheckedAt;
    private int _memoryChecking;
    private volatile bool _memoryFull;

    /// <summary>True when the answer under <paramref name="key"/> may be stored; false (counted, maybe logged) when a bound refuses it.</summary>
    public async Task<bool> AdmitAsync(string key, string[]? tags, CancellationToken cancel)
    {
        var settings = options.CurrentValue;
        CheckMemorySoon(settings);
        var collection = tags is { Length: > 0 } ? tags[0] : "";
        if (_memoryFull)
        {
            metrics.NotStored("memory", collection);
            return false;
        }

        var client = settings.MaxQueriesPerClient > 0 ? http.HttpContext?.Connection.RemoteIpAddress?.ToString() : null;
        var windowMs = (long)settings.ClientWindow.TotalMilliseconds;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var window = now / windowMs;
        var keys = new List<RedisKey>(2 + (tags?.Length ?? 0))
        {
            client is null ? ResponseCacheKeys.Client("-", window) : ResponseCacheKeys.Client(client, window),
            client is null ? ResponseCacheKeys.ClientReported("-", window) : ResponseCacheKeys.ClientReported(client, window),
        };
        foreach (var tag in tags ?? [])
        {
            keys.Add(ResponseCacheKeys.Tag(tag));
        }

        var verdict = (long)await redis.Database.ScriptEvaluateAsync(AdmitScript, [.. keys],
            [key, client is null ? 0 : settings.MaxQueriesPerClient, windowMs, now, settings.MaxEntriesPerCollection]).WaitAsync(cancel);
        switch (verdict)
        {
            case 0:
                return true;
            case 11:
                LogClientOverBound(logger, client!, settings.MaxQueriesPerClient, settings.ClientWindow);
                goto case 1;
            case 1:
                metrics.NotStored("client", collection);
                return false;
            default:
                metrics.NotStored("collection", collection);
                if (_collectionReported.TryGetValue(collection, out var reported) && reported == window)
                {
                    return false;
                }

                _collectionReported[collection] = window;
                LogCollectionFull(logger, collection, settings.MaxEntriesPerCollection);
                return false;
        }
    }

    /// <summary>After the store wrote an answer: its tag sets, and the set of tags, live at least as long as it (fire and forget).</summary>
    public void KeepTagsExpiring(string[]? tags, TimeSpan validFor)
    {
        if (tags is not { Length: > 0 })
        {
            return;
        }

        var keys = new RedisKey[tags.Length + 1];
        keys[0] = ResponseCacheKeys.Tags;
        for (var i = 0; i < tags.Length; i++)
        {
            keys[i + 1] = ResponseCacheKeys.Tag(tags[i]);
        }

        _ = redis.Database.ScriptEvaluateAsync(ExpireScript, keys, [(long)(validFor + TagMargin).TotalMilliseconds], CommandFlags.FireAndForget);
    }

    private void CheckMemorySoon(ResponseCacheOptions settings)
    {
        if (settings.MaxMemoryShare >= 1)
        {
            _memoryFull = false;
            return;
        }

        var now = time.GetTimestamp();
        if (now - Interlocked.Read(ref _memoryCheckedAt) < MemoryCheckInterval.TotalSeconds * time.TimestampFrequency
            || Interlocked.CompareExchange(ref _memoryChecking, 1, 0) != 0)
        {
            return;
        }

        Interlocked.Exchange(ref _memoryCheckedAt, now);
        _ = CheckMemoryAsync(settings.MaxMemoryShare);
    }

    private async Task CheckMemoryAsync(double share)
    {
        try
        {
            var info = (string?)await redis.Database.ExecuteAsync("INFO", "memory").WaitAsync(options.CurrentValue.RedisTimeout, time);
            var used = Field(info, "used_memory");
            var max = Field(info, "maxmemory");
            var full = max > 0 && used >= max * share;
            if (full != _memoryFull)
            {
                _memoryFull = full;
                if (full)
                {
                    LogMemoryFull(logger, used, max, share);
                }
                else
                {
                    LogMemoryBelow(logger, used, max);
                }
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException or InvalidOperationException)
        {
            // Redis away: the store's own outage handling skips the cache meanwhile; the last reading stays.
        }
        finally
        {
            Volatile.Write(ref _memoryChecking, 0);
        }
    }

    /// <summary>A number field of an INFO section (<c>name:value</c> lines); 0 if absent.</summary>
    private static long Field(string? info, string name)
    {
        foreach (var line in (info ?? "").AsSpan().EnumerateLines())
        {
            if (line.StartsWith(name) && line.Length > name.Length && line[name.Length] == ':'
                && long.TryParse(line[(name.Length + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }

        return 0;
    }

    [LoggerMessage(EventId = 11040, Level = LogLevel.Warning,
        Message = "Response cache: client {Client} asked for more than {Bound} distinct cacheable URLs within {Window}; its answers are served but not stored until the window ends")]
    private static partial void LogClientOverBound(ILogger logger, string client, int bound, TimeSpan window);

    [LoggerMessage(EventId = 11041, Level = LogLevel.Warning,
        Message = "Response cache: collection {Collection} holds {Bound} entries; further answers are served but not stored until some expire")]
    private static partial void LogCollectionFull(ILogger logger, string collection, int bound);

    [LoggerMessage(EventId = 11042, Level = LogLevel.Warning,
        Message = "Response cache: Redis uses {Used} of its {Max} bytes (over {Share:P0}); answers are served but not stored until it is below")]
    private static partial void LogMemoryFull(ILogger logger, long used, long max, double share);

    [LoggerMessage(EventId = 11043, Level = LogLevel.Information,
        Message = "Response cache: Redis memory back below the bound ({Used} of {Max} bytes); answers are stored again")]
    private static partial void LogMemoryBelow(ILogger logger, long used, long max);
}
