using System.Globalization;
using StackExchange.Redis;

namespace Gateway.Redirects;

/// <summary>
/// One import at a time across every replica: an import (merge or replace; not the start-up seed, which has its own
/// claim) takes a lease in Redis (<c>gateway:redirect-import-lease</c>, <c>SET NX</c> with
/// <see cref="RedirectOptions.ImportLeaseTime"/>) for its whole run and gives it back when done. A second import
/// meanwhile, on any replica, is refused (the admin API's <c>409</c>, the CLI's exit code 3) with who holds it and since
/// when, rather than interleaving its writes and deletes with the first's (two replace-imports at once left neither file).
/// A lease whose holder died ends by itself. The write-back of a table Redis lost takes the same lease: one writer at a
/// time, and never an import interleaved with a write-back.
/// </summary>
internal sealed class RedirectImportLease(RedisRedirectStore store)
{
    // Deletes the lease only if it is still this holder's (a lease that ran out may be someone else's by now).
    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    public RedisKey Key => store.SideKey("import-lease");

    /// <summary>The lease, or null and who holds it (<c>name from origin since time</c>).</summary>
    public Task<(Held? Lease, string? HeldBy)> TryTakeAsync(RedirectAuthor author, TimeSpan time)
    {
        ArgumentNullException.ThrowIfNull(author);
        return TryTakeAsync($"{author.Name} from {author.Origin}", time);
    }

    /// <summary>The lease for <paramref name="who"/> (said to whoever finds it taken), or null and who holds it.</summary>
    public async Task<(Held? Lease, string? HeldBy)> TryTakeAsync(string who, TimeSpan time)
    {
        ArgumentException.ThrowIfNullOrEmpty(who);

        var value = $"{who} since {DateTimeOffset.UtcNow.ToString("u", CultureInfo.InvariantCulture)} ({Guid.NewGuid():N})";
        if (await store.Database.StringSetAsync(Key, value, time, When.NotExists))
        {
            return (new Held(this, value), null);
        }

        var holder = (string?)await store.Database.StringGetAsync(Key) ?? "another import (just ended)";
        var id = holder.LastIndexOf(" (", StringComparison.Ordinal);
        return (null, id > 0 ? holder[..id] : holder);
    }

    private Task<RedisResult> ReleaseAsync(string value) => store.Database.ScriptEvaluateAsync(ReleaseScript, [Key], [value]);

    /// <summary>A lease taken: give it back when the import is done, whatever happened.</summary>
    internal sealed class Held(RedirectImportLease lease, string value) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await lease.ReleaseAsync(value);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // Redis away: the lease runs out by itself.
            }
        }
    }
}
