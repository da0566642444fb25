using System.Globalization;
using StackExchange.Redis;

namespace Gateway.Redirects;

/// <summary>
/// Hit totals over every replica, in two Redis hashes beside the table: <c>gateway:redirect-hits</c> (path → count,
/// HINCRBY from each gateway) and <c>gateway:redirect-lasthit</c> (path → Unix milliseconds of the latest hit anywhere).
/// They belong to their entry: <see cref="RedisRedirectStore.RemoveAsync"/> deletes them with it, and hits are added only
/// to an entry Redis still holds, so hits a replica counted before a delete and adds after it do not come back.
/// A value that is not a whole number (typed by hand, say) is read as none and replaced by the next flush, never a 500,
/// and never a failed flush: a Lua script that fails halfway keeps what it already did, so a flush retried after one
/// bad value would add the hits before it again.
/// </summary>
internal sealed partial class RedirectHitStore(RedisRedirectStore store, ILogger<RedirectHitStore> logger)
{
    // KEYS: the counts, the last hits, then each entry's key; ARGV: path, count, last hit (ms), repeated in that order.
    // One call adds a batch; the last hit only ever moves forward; an entry no longer in Redis gets nothing; a value that
    // is not a whole number is replaced (HINCRBY would fail on it and stop the script halfway).
    private const string AddScript = """
        local function whole(value)
          local n = tonumber(value)
          return n ~= nil and n == math.floor(n) and string.find(value, '^-?%d+$') ~= nil
        end
        local entry = 3
        for i = 1, #ARGV, 3 do
          if redis.call('EXISTS', KEYS[entry]) == 1 then
            local count = redis.call('HGET', KEYS[1], ARGV[i])
            if count and not whole(count) then
              redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
            else
              redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
            end
            local last = redis.call('HGET', KEYS[2], ARGV[i])
            if not last or not whole(last) or tonumber(last) < tonumber(ARGV[i + 2]) then
              redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 2])
            end
          end
          entry = entry + 1
        end
        return 0
        """;

    private int _badValueLogged;

    public const int MaxBatch = 500;

    public Task AddAsync(IReadOnlyList<(string Key, long Count, long LastUnixMs)> hits)
    {
        ArgumentNullException.ThrowIfNull(hits);

        var keys = new RedisKey[hits.Count + 2];
        keys[0] = store.HitCountsKey;
        keys[1] = store.LastHitKey;
        var args = new RedisValue[hits.Count * 3];
        for (var i = 0; i < hits.Count; i++)
        {
            keys[i + 2] = store.RedisKeyOf(hits[i].Key);
            args[i * 3] = hits[i].Key;
            args[(i * 3) + 1] = hits[i].Count;
            args[(i * 3) + 2] = hits[i].LastUnixMs;
        }

        return store.Database.ScriptEvaluateAsync(AddScript, keys, args);
    }

    /// <summary>Totals for these paths: the count (0 if never hit) and the last hit, if any.</summary>
    public async Task<(long Count, DateTimeOffset? LastHit)[]> ReadAsync(IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);

        var fields = keys.Select(key => (RedisValue)key).ToArray();
        var counts = store.Database.HashGetAsync(store.HitCountsKey, fields);
        var lasts = store.Database.HashGetAsync(store.LastHitKey, fields);
        var (c, l) = (await counts, await lasts);
        var result = new (long, DateTimeOffset?)[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            var count = Whole(c[i], keys[i], store.HitCountsKey);
            var last = Whole(l[i], keys[i], store.LastHitKey);
            result[i] = (count ?? 0, last is { } ms && ms is >= -62135596800000 and <= 253402300799999 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null);
        }

        return result;
    }

    /// <summary>The value as a whole number; none when absent, or when it is not one (logged once per gateway).</summary>
    private long? Whole(RedisValue value, string path, RedisKey hash)
    {
        if (value.IsNull)
        {
            return null;
        }

        if (long.TryParse((string?)value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        if (Interlocked.Exchange(ref _badValueLogged, 1) == 0)
        {
            LogBadValue(logger, path, hash.ToString());
        }

        return null;
    }

    [LoggerMessage(EventId = 4031, Level = LogLevel.Warning, Message = "The hit value of {Path} in {Hash} is not a whole number: read as none, and replaced by the next hit's flush (further bad values are not logged)")]
    private static partial void LogBadValue(ILogger logger, string path, string hash);
}
