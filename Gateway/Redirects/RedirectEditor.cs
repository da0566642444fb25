using Microsoft.Extensions.Options;

namespace Gateway.Redirects;

/// <summary>One-entry edits from the admin API and the CLI: validated (a cycle included) before Redis is touched.</summary>
internal sealed class RedirectEditor(
    RedisRedirectStore store,
    RedirectValidator validator,
    RedirectSnapshot snapshot,
    IOptionsMonitor<RedirectOptions> options)
{
    /// <summary>Null when written; otherwise why the entry was refused.</summary>
    public async Task<string?> SetAsync(string key, RedirectEntry? entry)
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

        await store.SetAsync(key, entry);
        snapshot.Apply(key, entry);
        return null;
    }

    public async Task<bool> RemoveAsync(string key)
    {
        var removed = await store.RemoveAsync(key);
        snapshot.Apply(key, null);
        return removed;
    }
}
