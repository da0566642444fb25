using System.Collections.Concurrent;
using Microsoft.Extensions.Primitives;

namespace Gateway.Access;

/// <summary>
/// One change token per user (<c>strapi:{id}</c>, <c>oidc:{sub}</c>): what this replica keeps in memory about a user (its
/// sessions, its Strapi record, its bearer tokens' principals) expires with it, so <see cref="Changed"/> drops it all.
/// </summary>
internal sealed class UserChangeTokens
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _sources = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _changedAt = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;

    /// <summary>Follows <see cref="SessionSignal.UserChanged"/>: a change heard from any replica drops what this one holds.</summary>
    public UserChangeTokens(SessionSignal signal, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(signal);
        _clock = clock;
        signal.UserChanged += Changed;
    }

    /// <summary>When this replica last heard of a change of <paramref name="user"/> (Unix milliseconds; never: 0).</summary>
    public long ChangedAt(string user) => _changedAt.TryGetValue(user, out var at) ? at : 0;

    public static string StrapiUser(int id) => AccessClaims.FromStrapi + ":" + id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public IChangeToken For(string user) => new CancellationChangeToken(_sources.GetOrAdd(user, _ => new CancellationTokenSource()).Token);

    public void Changed(string user)
    {
        _changedAt[user] = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (_sources.TryRemove(user, out var source))
        {
            source.Cancel();
            source.Dispose();
        }
    }
}
