using Microsoft.Extensions.Options;

namespace Gateway.Redirects;

/// <summary>One-entry edits from the admin API and the CLI: validated (a cycle included) before Redis is touched.</summary>
internal sealed partial class RedirectEditor(
    RedisRedirectStore store,
    RedirectValidator validator,
    RedirectSnapshot snapshot,
    IOptionsMonitor<RedirectOptions> options,
    ILogger<RedirectEditor> logger)
{
    /// <summary>Who made a change: a user's name (or <c>admin-key</c>, <c>cli</c>) and the client's address.</summary>
    public sealed record Author(string Name, System.Net.IPAddress? Client)
    {
        public static readonly Author Cli = new("cli", null);
    }

    /// <summary>Null when written; otherwise why the entry was refused.</summary>
    public async Task<string?> SetAsync(string key, RedirectEntry? entry, Author? author = null)
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
        LogChanged(logger, key, author ?? Author.Cli, before, entry);
        return null;
    }

    public async Task<bool> RemoveAsync(string key, Author? author = null)
    {
        var before = snapshot.Current.Find(key);
        var removed = await store.RemoveAsync(key);
        snapshot.Apply(key, null);
        LogChanged(logger, key, author ?? Author.Cli, before, null);
        return removed;
    }

    private static void LogChanged(ILogger logger, string key, Author author, RedirectEntry? before, RedirectEntry? after)
        => LogChange(logger, key, author.Name, author.Client, before, after);

    [LoggerMessage(EventId = 9131, Level = LogLevel.Information, Message = "Redirect {Key} changed by {Author} from {Client}: {Before} -> {After}")]
    private static partial void LogChange(ILogger logger, string key, string author, System.Net.IPAddress? client, RedirectEntry? before, RedirectEntry? after);
}
