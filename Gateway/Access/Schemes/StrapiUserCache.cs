using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Gateway.Access;

/// <summary>
/// A Strapi user and its role, kept for <see cref="StrapiJwtOptions.RoleCacheTime"/> so a bearer caller does not cost
/// a Strapi round trip per request; a changed role takes effect within that time.
/// </summary>
internal sealed class StrapiUserCache(StrapiUsersClient strapi, IMemoryCache cache, IOptionsMonitor<AccessOptions> options)
{
    public async Task<StrapiUser?> GetAsync(int id, CancellationToken cancellationToken)
    {
        var key = (typeof(StrapiUserCache), id);
        if (cache.TryGetValue(key, out StrapiUser? user))
        {
            return user;
        }

        user = await strapi.GetUserAsync(id, cancellationToken);
        cache.Set(key, user, options.CurrentValue.StrapiJwt.RoleCacheTime);
        return user;
    }
}
