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
    /// Every entry as it is stored (raw UTF-8 JSON as Redis sent it, possibly bad, null if deleted meanwhile), in batches
    /// of a SCAN page and one MGET.
    /// </summary>
    public async IAsyncEnumerable<(string Key, RedisValue Json)> ScanAsync([EnumeratorCancellation] CancellationToken cancel = default)
    {
        var server = redis.GetServers().FirstOrDefault(s => s.IsConnected && !s.IsReplica)
            ?? throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "no connected Redis primary");
        var prefix = Prefix;
        var batch = new List<RedisKey>(Batch);
        await foreach (var key in server.KeysAsync(Database.Database, prefix + "*", Batch).WithCancellation(cancel))
        {
            batch.Add(key);
            if (batch.Count == Batch)
            {
                foreach (var item in await FetchAsync(batch, prefix))
                {
                    yield return item;
                }

                batch.Clear();
            }
        }

        foreach (var item in await FetchAsync(batch, prefix))
        {
            yield return item;
        }
    }

    /// <summary>These entries as stored, in one MGET.</summary>
    public Task<RedisValue[]> GetRawAsync(IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);

        var redisKeys = new RedisKey[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            redisKeys[i] = RedisKeyOf(keys[i]);
        }

        return Database.StringGetAsync(redisKeys);
    }

    /// <summary>Writes the entry; one with <c>expiresAt</c> gets a Redis TTL to match, so Redis drops it too.</summary>
    public Task<bool> SetAsync(string key, RedirectEntry entry, bool onlyIfMissing = false)
    {
        ArgumentNullException.ThrowIfNull(entry);
        TimeSpan? lifetime = entry.ExpiresAt is { } at ? Max(at - DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(1)) : null;
        return Database.StringSetAsync(RedisKeyOf(key), Serialize(entry), lifetime, when: onlyIfMissing ? When.NotExists : When.Always);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    public Task<bool> RemoveAsync(string key) => Database.KeyDeleteAsync(RedisKeyOf(key));

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

    private async Task<(string Key, RedisValue Json)[]> FetchAsync(List<RedisKey> keys, string prefix)
    {
        if (keys.Count == 0)
        {
            return [];
        }

        var values = await Database.StringGetAsync([.. keys]);
        var prefixBytes = Encoding.UTF8.GetByteCount(prefix);
        var result = new (string, RedisValue)[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            // The entry's path decoded from the key's bytes past the prefix: one string per key, not two.
            var bytes = (byte[])keys[i]!;
            result[i] = (Encoding.UTF8.GetString(bytes, prefixBytes, bytes.Length - prefixBytes), values[i]);
        }

        return result;
    }
}
