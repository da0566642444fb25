using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;

namespace Gateway.Access;

/// <summary>
/// Which account a sign-in identifier names, so a username and its email share one count of failures: the user's id,
/// asked of Strapi once (its users API, the gateway's token) and kept a few minutes (an unknown identifier half a
/// minute, so a new user can soon sign in). Strapi's answer unreadable: the identifier itself is the account.
/// </summary>
internal sealed partial class AccountResolver(IMemoryCache cache, ILogger<AccountResolver> logger)
{
    private static readonly TimeSpan KnownFor = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan UnknownFor = TimeSpan.FromSeconds(30);

    /// <summary>The account's counter name; <see cref="SignInAccount.Exists"/> false only when Strapi said there is no such user.</summary>
    public async Task<SignInAccount> ResolveAsync(StrapiUsersClient strapi, string identifier, CancellationToken cancel)
    {
        var normalized = identifier.Trim().ToLowerInvariant();
        var key = (typeof(AccountResolver), normalized);
        if (cache.TryGetValue(key, out SignInAccount? known) && known is not null)
        {
            return known;
        }

        SignInAccount account;
        try
        {
            var id = await strapi.FindUserIdAsync(identifier.Trim(), cancel);
            account = id is { } found
                ? new SignInAccount("user:" + found.ToString(CultureInfo.InvariantCulture), Exists: true)
                : new SignInAccount("name:" + normalized, Exists: false);
            cache.Set(key, account, account.Exists == true ? KnownFor : UnknownFor);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancel.IsCancellationRequested)
        {
            LogNotResolved(logger, e.GetType().Name);
            account = new SignInAccount("name:" + normalized, Exists: null);
        }

        return account;
    }

    [LoggerMessage(EventId = 9351, Level = LogLevel.Warning, Message = "Sign-in: the identifier could not be looked up in Strapi ({Error}); failures are counted per identifier")]
    private static partial void LogNotResolved(ILogger logger, string error);
}

/// <summary>An account for the failure counters; <see cref="Exists"/>: true, false (Strapi said no such user), null (not known).</summary>
internal sealed record SignInAccount(string Key, bool? Exists);
