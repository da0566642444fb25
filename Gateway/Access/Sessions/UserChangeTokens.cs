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

    /// <summary>Follows <see cref="SessionSignal.UserChanged"/>: a change heard from any replica drops what this one holds.</summary>
    public UserChangeTokens(SessionSignal signal)
    {
        ArgumentNullException.ThrowIfNull(signal);
        signal.UserChanged += Changed;
    }

    public static string StrapiUser(int id) => AccessClaims.FromStrapi + ":" + id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public IChangeToken For(string user) => new CancellationChangeToken(_sources.GetOrAdd(user, _ => new CancellationTokenSource()).Token);

    public void Changed(string user)
    {
        if (_sources.TryRemove(user, out var source))
        {
            source.Cancel();
            source.Dispose();
        }
    }
}
