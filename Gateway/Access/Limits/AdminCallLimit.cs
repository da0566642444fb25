using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Gateway.Redirects;

namespace Gateway.Access;

/// <summary>
/// The admin limits, shared by every replica (<see cref="SharedCounters"/>), before authentication:
/// <see cref="RateLimitOptions.AdminPerClient"/> calls per client per window to the admin API (endpoints with the
/// <c>admin</c> rate-limit policy: one Redis round trip each), and as many wrong <c>X-Admin-Key</c> guesses anywhere
/// else. On the proxied path a right key costs nothing: only a wrong one is counted, and a client found over the limit
/// is refused here without asking Redis until its window ends. Over a limit: 429 with <c>Retry-After</c>.
/// </summary>
internal sealed class AdminCallLimit(RequestDelegate next, SharedCounters counters, IMemoryCache cache,
    IOptionsMonitor<AccessOptions> access, IOptionsMonitor<RedirectOptions> redirects, TimeProvider clock)
{
    private const string AdminCalls = "admin:";
    private const string KeyGuesses = "admin-key:";

    public async Task InvokeAsync(HttpContext context)
    {
        var limits = access.CurrentValue.RateLimits;
        var client = RateLimitSetup.ClientOf(context);
        if (context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == AccessPolicies.AdminLimit)
        {
            var verdict = await counters.HitAsync(AdminCalls + client, limits.AdminPerClient, limits.Window);
            if (!verdict.IsAllowed)
            {
                await AccessProblems.TooManyAsync(context, verdict.RetryAfter);
                return;
            }
        }
        else if (context.Request.Headers.TryGetValue(AdminKeyAuthenticationHandler.Header, out var given))
        {
            var lockKey = (typeof(AdminCallLimit), client);
            if (cache.TryGetValue(lockKey, out DateTimeOffset until))
            {
                await AccessProblems.TooManyAsync(context, until - clock.GetUtcNow());
                return;
            }

            var configured = redirects.CurrentValue.AdminKey;
            if (string.IsNullOrEmpty(configured) || !AdminKeyAuthenticationHandler.Matches(given.ToString(), configured))
            {
                var verdict = await counters.HitAsync(KeyGuesses + client, limits.AdminPerClient, limits.Window);
                if (!verdict.IsAllowed)
                {
                    cache.Set(lockKey, clock.GetUtcNow() + verdict.RetryAfter, verdict.RetryAfter);
                    await AccessProblems.TooManyAsync(context, verdict.RetryAfter);
                    return;
                }
            }
        }

        await next(context);
    }
}
