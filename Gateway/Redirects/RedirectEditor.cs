using Microsoft.Extensions.Options;

namespace Gateway.Redirects;

/// <summary>
/// One-entry edits from the admin API and the CLI: validated (a cycle included) before Redis is touched, and logged with
/// who made them and the entry before and after.
/// </summary>
internal sealed class RedirectEditor(
    RedisRedirectStore store,
    RedirectValidator validator,
    RedirectSnapshot snapshot,
    IOptionsMonitor<RedirectOptions> options,
    ILogger<RedirectEditor> logger)
{
    /// <summary>Null when written; otherwise why the entry was refused.</summary>
    public async Task<string?> SetAsync(string key, RedirectEntry? entry, RedirectAuthor? author = null)
    {
        var problem = validator.Check(key, entry);
        if (problem is not null)
        {
            return problem;
        }

        var after = snapshot.Current.With(key, entry);
        if (!RedirectKey.LocalPath(entry!.Destination).IsEmpty && !after.TryResolve(key, options.CurrentValue.MaxChain, out _))
        {
            return $"it would make a cycle or a chain longer than {options.CurrentValue.MaxChain}";
        }

        var before = snapshot.Current.Find(key);
        await store.SetAsync(key, entry);
        snapshot.Apply(key, entry);
        RedirectChangeLog.Set(logger, key, author ?? RedirectAuthor.Cli, before, entry);
        return null;
    }

    /// <summary>
    /// Deletes the entry and its hit counts (this replica's uncounted hits go with the entry: they are not added to Redis
    /// afterwards); false when there was no entry.
    /// </summary>
    public async Task<bool> RemoveAsync(string key, RedirectAuthor? author = null)
    {
        var before = await store.RemoveAsync(key);
        snapshot.Apply(key, null);
        if (before.IsNull)
        {
            return false;
        }

        RedirectChangeLog.Removed(logger, key, author ?? RedirectAuthor.Cli, before.ToString());
        return true;
    }
}
