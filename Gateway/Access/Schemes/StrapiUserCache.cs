using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Gateway.Access;

/// <summary>
/// A Strapi user and its role, kept for <see cref="StrapiJwtOptions.RoleCacheTime"/> so a bearer caller does not cost
/// a Strapi round trip per request; a changed role takes effect within that time, or at once when the lifecycle hook
/// reports the change (<see cref="UserChangeTokens"/>).
/// </summary>
internal sealed class StrapiUserCache(StrapiUsersClient strapi, IMemoryCache cache, IOptionsMonitor<AccessOptions> options, UserChangeTokens changes)
{
    public async Task<StrapiUser?> GetAsync(int id, CancellationToken cancellationToken)
    {
        var key = (typeof(StrapiUserCache), id);
        if (cache.TryGetValue(key, out StrapiUser? user))
        {
            return user;
        }

        var changed = changes.For(UserChangeTokens.StrapiUser(id));
        user = await strapi.GetUserAsync(id, cancellationToken);
        cache.Set(key, user, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = options.CurrentValue.StrapiJwt.RoleCacheTime }.AddExpirationToken(changed));
        return user;
    }
}
