using StackExchange.Redis;

namespace Gateway.Redirects;

/// <summary>
/// Hit totals over every replica, in two Redis hashes beside the table: <c>gateway:redirect-hits</c> (path → count,
/// HINCRBY from each gateway) and <c>gateway:redirect-lasthit</c> (path → Unix milliseconds of the latest hit anywhere).
/// They belong to their entry: <see cref="RedisRedirectStore.RemoveAsync"/> deletes them with it, and hits are added only
/// to an entry Redis still holds, so hits a replica counted before a delete and adds after it do not come back.
/// </summary>
internal sealed class RedirectHitStore(RedisRedirectStore store)
{
    // KEYS: the counts, the last hits, then each entry's key; ARGV: path, count, last hit (ms), repeated in that order.
    // One call adds a batch; the last hit only ever moves forward; an entry no longer in Redis gets nothing.
    private const string AddScript = """
        local entry = 3
        for i = 1, #ARGV, 3 do
          if redis.call('EXISTS', KEYS[entry]) == 1 then
            redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
            local last = redis.call('HGET', KEYS[2], ARGV[i])
            if not last or tonumber(last) < tonumber(ARGV[i + 2]) then
              redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 2])
            end
          end
          entry = entry + 1
        end
        return 0
        """;

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
            result[i] = ((long?)c[i] ?? 0, l[i].IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)l[i]));
        }

        return result;
    }
}
