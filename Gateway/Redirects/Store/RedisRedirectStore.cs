using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Redirects;

/// <summary>
/// The table in Redis: one string per entry, <c>{prefix}{path}</c> → <c>{"destination":…,"permanent":…}</c>, so ops
/// edit it with plain SET, DEL and SCAN. This class reads and writes it; it validates nothing itself.
/// </summary>
internal sealed class RedisRedirectStore(IConnectionMultiplexer redis, IOptionsMonitor<RedirectOptions> options)
{
    private const int Batch = 1000;

    public string Prefix => options.CurrentValue.KeyPrefix;

    public IDatabase Database => redis.GetDatabase();

    public RedisKey RedisKeyOf(string key) => Prefix + key;

    /// <summary>
    /// A key beside the table, never an entry's: <see cref="RedirectOptions.KeyPrefix"/> with its last character changed
    /// (<c>gateway:redirect-seeded</c>), so a SCAN of the table does not meet it.
    /// </summary>
    public RedisKey SideKey(string name)
    {
        var prefix = Prefix;
        return $"{prefix[..^1]}{(prefix[^1] == '-' ? '_' : '-')}{name}";
    }

    /// <summary>
    /// Set once the table has held entries (or the seed file was imported): its absence with an empty table means a
    /// Redis that never had a table or lost it (FLUSHALL, a restart without its data), the one case the seed file is
    /// imported again.
    /// </summary>
    public RedisKey SeededKey => SideKey("seeded");

    /// <summary>
    /// The table's version: a counter every write through the gateway (an edit, an import, the seed) raises in the same
    /// step as its write, and a write-back sets to the version written back. Each replica holds the version of the table
    /// it serves, so Redis found behind it (empty after a loss, or an older copy restored) is told from a table that never
    /// existed. A <c>redis-cli SET</c> does not raise it (<c>INCR gateway:redirect-version</c> does).
    /// </summary>
    public RedisKey VersionKey => SideKey("version");

    /// <summary>The hash of hit totals over every replica: path → count (<see cref="RedirectHitStore"/>).</summary>
    public RedisKey HitCountsKey => SideKey("hits");

    /// <summary>The hash of last hits over every replica: path → Unix milliseconds (<see cref="RedirectHitStore"/>).</summary>
    public RedisKey LastHitKey => SideKey("lasthit");

    // KEYS: the entry, the version; ARGV: the JSON, its lifetime in ms (0: none), "NX" to write only a missing entry (the
    // seed's, which raises no version: a seeded table is version 1 however many entries it has). Otherwise the version is
    // raised when the entry was written, in the same step, so its notification follows the entry's.
    private const string SetScript = """
        local command = {'SET', KEYS[1], ARGV[1]}
        if ARGV[2] ~= '0' then
          table.insert(command, 'PX')
          table.insert(command, ARGV[2])
        end
        if ARGV[3] == 'NX' then
          table.insert(command, 'NX')
        end
        if not redis.call(unpack(command)) then
          return 0
        end
        if ARGV[3] ~= 'NX' then
          redis.call('INCR', KEYS[2])
        end
        return 1
        """;

    // KEYS: the entry, the hit counts, the last hits, the version; ARGV: the path. The entry and its hits go together, so an entry
    // deleted and added again starts at 0. Returns what the entry held (an empty string if not a string), nil if nothing.
    private const string RemoveScript = """
        local before = ''
        if redis.call('TYPE', KEYS[1]).ok == 'string' then
          before = redis.call('GET', KEYS[1])
        end
        local removed = redis.call('DEL', KEYS[1])
        redis.call('HDEL', KEYS[2], ARGV[1])
        redis.call('HDEL', KEYS[3], ARGV[1])
        if removed == 0 then
          return false
        end
        redis.call('INCR', KEYS[4])
        return before
        """;

    /// <summary>
    /// Every entry as it is stored (raw UTF-8 JSON as Redis sent it, possibly bad, null if deleted meanwhile), read as
    /// <see cref="ReadPagesAsync"/> reads it: a few pages ahead of the caller.
    /// </summary>
    public async IAsyncEnumerable<(string Key, RedisValue Json)> ScanAsync([EnumeratorCancellation] CancellationToken cancel = default)
    {
        var ahead = new Queue<Task<(string Key, RedisValue Json)[]>>(ReadAhead);
        await foreach (var page in ReadPagesAsync(cancel))
        {
            ahead.Enqueue(page);
            if (ahead.Count == ReadAhead)
            {
                foreach (var item in await ahead.Dequeue())
                {
                    yield return item;
                }
            }
        }

        while (ahead.TryDequeue(out var page))
        {
            foreach (var item in await page)
            {
                yield return item;
            }
        }
    }

    /// <summary>How many MGETs a sequential <see cref="ScanAsync"/> keeps in flight.</summary>
    private const int ReadAhead = 4;

    /// <summary>
    /// Every entry, a page at a time: a SCAN page of keys, then one MGET issued at once and not awaited here, so the
    /// next SCAN goes out on the same connection while that MGET's reply is still on its way (StackExchange.Redis
    /// pipelines commands). The caller awaits each page's task, in any order, and bounds how many are in flight.
    /// </summary>
    public async IAsyncEnumerable<Task<(string Key, RedisValue Json)[]>> ReadPagesAsync([EnumeratorCancellation] CancellationToken cancel = default)
    {
        var server = redis.GetServers().FirstOrDefault(s => s.IsConnected && !s.IsReplica)
            ?? throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "no connected Redis primary");
        var prefix = Prefix;
        var database = Database;
        var batch = new List<RedisKey>(Batch);
        await foreach (var key in server.KeysAsync(database.Database, prefix + "*", Batch).WithCancellation(cancel))
        {
            batch.Add(key);
            if (batch.Count == Batch)
            {
                yield return FetchAsync(database, [.. batch], prefix);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            yield return FetchAsync(database, [.. batch], prefix);
        }
    }

    /// <summary>These entries as stored, in one MGET; and after them the version, when <paramref name="withVersion"/>.</summary>
    public Task<RedisValue[]> GetRawAsync(IReadOnlyList<string> keys, bool withVersion = false)
    {
        ArgumentNullException.ThrowIfNull(keys);

        var redisKeys = new RedisKey[keys.Count + (withVersion ? 1 : 0)];
        for (var i = 0; i < keys.Count; i++)
        {
            redisKeys[i] = RedisKeyOf(keys[i]);
        }

        if (withVersion)
        {
            redisKeys[^1] = VersionKey;
        }

        return Database.StringGetAsync(redisKeys);
    }

    /// <summary>
    /// Writes the entry and raises <see cref="VersionKey"/> in one step; one with <c>expiresAt</c> gets a Redis TTL to
    /// match, so Redis drops it too. <paramref name="onlyIfMissing"/> (the seed): only if the entry is not there, and
    /// without raising the version; false when it was there.
    /// </summary>
    public async Task<bool> SetAsync(string key, RedirectEntry entry, bool onlyIfMissing = false)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var lifetime = LifetimeOf(entry);
        var written = await Database.ScriptEvaluateAsync(SetScript, [RedisKeyOf(key), VersionKey],
            [Serialize(entry), lifetime is { } ms ? (long)ms.TotalMilliseconds : 0, onlyIfMissing ? "NX" : ""]);
        return (long)written == 1;
    }

    /// <summary>The Redis TTL an entry gets: until its <c>expiresAt</c> (at least 1 ms), or none.</summary>
    private static TimeSpan? LifetimeOf(RedirectEntry entry)
        => entry.ExpiresAt is { } at ? Max(at - DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(1)) : null;

    /// <summary>The version Redis holds (<see cref="VersionKey"/>); 0 when it holds none (never set, or lost).</summary>
    public async Task<long> GetVersionAsync() => ParseVersion(await Database.StringGetAsync(VersionKey));

    /// <summary>A version as stored; 0 for none or a value that is not one.</summary>
    public static long ParseVersion(RedisValue value)
        => long.TryParse((string?)value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version) ? version : 0;

    /// <summary>
    /// Writes <paramref name="table"/> back into Redis at <paramref name="version"/>, pipelined in pages, then sets the
    /// version and the seeded record. <paramref name="replace"/> (Redis holds an older version: a stale copy, or the seed
    /// imported after a loss): every entry written and every other deleted. Otherwise (Redis holds no version: it lost
    /// the table) only the entries Redis lacks, so what was written into the empty Redis since (by hand) stays. The
    /// caller holds the lease. How many entries were written.
    /// </summary>
    public async Task<int> WriteBackAsync(RedirectTable table, long version, bool replace, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(table);

        var database = Database;
        var written = 0;
        var when = replace ? When.Always : When.NotExists;
        var page = new List<Task<bool>>(Batch);
        foreach (var (key, entry) in table.Entries)
        {
            if (entry.ExpiresAt is { } at && at <= DateTimeOffset.UtcNow)
            {
                continue;
            }

            page.Add(LifetimeOf(entry) is { } lifetime
                ? database.StringSetAsync(RedisKeyOf(key), Serialize(entry), lifetime, when)
                : database.StringSetAsync(RedisKeyOf(key), Serialize(entry), when: when));
            if (page.Count == Batch)
            {
                written += (await Task.WhenAll(page)).Count(set => set);
                page.Clear();
                cancel.ThrowIfCancellationRequested();
            }
        }

        written += (await Task.WhenAll(page)).Count(set => set);
        if (replace)
        {
            var stale = new List<RedisKey>();
            await foreach (var (key, _) in ScanAsync(cancel))
            {
                if (table.Find(key) is null)
                {
                    stale.Add(RedisKeyOf(key));
                }
            }

            foreach (var chunk in stale.Chunk(Batch))
            {
                await database.KeyDeleteAsync(chunk);
            }
        }

        await database.StringSetAsync(VersionKey, version);
        await database.StringSetAsync(SeededKey, "written back " + DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture), when: When.NotExists);
        return written;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>
    /// Deletes the entry and its hit counts, in one step: what the entry held as stored (its JSON), or null when there
    /// was no entry (its hit counts, if any were left, are deleted all the same).
    /// </summary>
    public async Task<RedisValue> RemoveAsync(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var result = await Database.ScriptEvaluateAsync(RemoveScript, [RedisKeyOf(key), HitCountsKey, LastHitKey, VersionKey], [key]);
        return (RedisValue)result;
    }

    public static string Serialize(RedirectEntry entry) => JsonSerializer.Serialize(entry, RedirectJsonContext.Default.RedirectEntry);

    /// <summary>The entry in <paramref name="json"/>, or null when it is not an entry's JSON.</summary>
    public static RedirectEntry? Parse(RedisValue json)
    {
        if (json.IsNullOrEmpty)
        {
            return null;
        }

        try
        {
            // Parsed from the bytes Redis sent: no UTF-16 copy of the JSON (a million of them on a full load).
            return JsonSerializer.Deserialize(((ReadOnlyMemory<byte>)json).Span, RedirectJsonContext.Default.RedirectEntry);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>These keys' values: the MGET is sent before this returns; its reply is awaited in the task.</summary>
    private static Task<(string Key, RedisValue Json)[]> FetchAsync(IDatabase database, RedisKey[] keys, string prefix)
    {
        var values = database.StringGetAsync(keys);
        return PairAsync(keys, values, prefix);
    }

    private static async Task<(string Key, RedisValue Json)[]> PairAsync(RedisKey[] keys, Task<RedisValue[]> reply, string prefix)
    {
        var values = await reply;
        var prefixBytes = Encoding.UTF8.GetByteCount(prefix);
        var result = new (string, RedisValue)[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            // The entry's path decoded from the key's bytes past the prefix: one string per key, not two.
            var bytes = (byte[])keys[i]!;
            result[i] = (Encoding.UTF8.GetString(bytes, prefixBytes, bytes.Length - prefixBytes), values[i]);
        }

        return result;
    }
}
