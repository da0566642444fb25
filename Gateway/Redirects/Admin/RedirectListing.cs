using System.Text.Json;
using System.Text.Json.Nodes;
using StackExchange.Redis;

namespace Gateway.Redirects;

/// <summary>One listed entry with its hit totals over every replica (count, last hit), as the admin API, CLI and page show it.</summary>
internal sealed record RedirectListItem(string Key, RedirectEntry Entry, long Hits, DateTimeOffset? LastHit);

/// <summary>The table, sorted by path, filtered by a path prefix and by "not hit since", with hit totals read from Redis.</summary>
internal sealed class RedirectListing(RedirectHitStore hits)
{
    private const int Chunk = 1000;

    /// <summary>
    /// The entries; <paramref name="hitsKnown"/> is false when Redis could not be asked (the counts are then 0), in which
    /// case a "not hit since" filter keeps nothing rather than guess.
    /// </summary>
    public async Task<(List<RedirectListItem> Items, bool HitsKnown)> ListAsync(
        IEnumerable<KeyValuePair<string, RedirectEntry>> entries, string? prefix, DateTimeOffset? notHitSince, int limit)
    {
        var sorted = entries
            .Where(pair => prefix is null || pair.Key.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .ToList();
        var items = new List<RedirectListItem>();
        var known = true;
        for (var start = 0; start < sorted.Count && items.Count < limit; start += Chunk)
        {
            var chunk = sorted.GetRange(start, Math.Min(Chunk, sorted.Count - start));
            var totals = known ? await TryReadAsync(chunk.ConvertAll(pair => pair.Key)) : null;
            known = totals is not null;
            if (!known && notHitSince is not null)
            {
                return ([], false);
            }

            for (var i = 0; i < chunk.Count && items.Count < limit; i++)
            {
                var (count, last) = totals?[i] ?? (0, null);
                if (notHitSince is { } since && last >= since)
                {
                    continue;
                }

                items.Add(new RedirectListItem(chunk[i].Key, chunk[i].Value, count, last));
            }
        }

        return (items, known);
    }

    private async Task<(long Count, DateTimeOffset? LastHit)[]?> TryReadAsync(List<string> keys)
    {
        try
        {
            return await hits.ReadAsync(keys);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return null;
        }
    }

    /// <summary><c>{"/path": {…the entry…, "hits": n, "lastHit": "…"|null}, …}</c>.</summary>
    public static string ToJson(IEnumerable<RedirectListItem> items)
    {
        var result = new JsonObject();
        foreach (var item in items)
        {
            var node = JsonSerializer.SerializeToNode(item.Entry, RedirectJsonContext.Default.RedirectEntry)!.AsObject();
            node["hits"] = item.Hits;
            node["lastHit"] = item.LastHit;
            result[item.Key] = node;
        }

        return result.ToJsonString();
    }
}
