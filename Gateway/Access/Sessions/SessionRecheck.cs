using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Gateway.Access;

/// <summary>
/// The safety net behind the lifecycle hook (<c>OnValidatePrincipal</c>): a Strapi user's session is checked against
/// Strapi when no replica has checked it for <see cref="SessionOptions.RecheckInterval"/> (the time is kept with the
/// session in Redis), and at its next use after this replica heard of a change of the user. Blocked or deleted: the session ends everywhere. Role, name or email
/// changed: the request goes on with the new principal, and the session in Redis is rewritten. Strapi unreachable: the
/// session goes on, and is checked again after the interval.
/// </summary>
internal sealed partial class SessionRecheck(RedisTicketStore store, UserChangeTokens changes, IOptionsMonitor<AccessOptions> options, TimeProvider clock, ILogger<SessionRecheck> logger)
{
    public async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var principal = context.Principal;
        if (!context.Properties.Items.TryGetValue(SessionItems.Id, out var id) || id is null
            || principal?.FindFirst(AccessClaims.Source)?.Value != AccessClaims.FromStrapi
            || !int.TryParse(principal.FindFirst(AccessClaims.Subject)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var userId))
        {
            return;
        }

        // Due when the interval has passed since the last check (here or on another replica), or a change of the user was heard since.
        var last = store.CheckedAt(id);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (now - last < (long)options.CurrentValue.Session.RecheckInterval.TotalMilliseconds && changes.ChangedAt(UserChangeTokens.StrapiUser(userId)) < last)
        {
            return;
        }

        StrapiUser? user;
        try
        {
            user = await context.HttpContext.RequestServices.GetRequiredService<StrapiUsersClient>().GetUserAsync(userId, context.HttpContext.RequestAborted);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            store.Checked(id);
            LogRecheckFailed(logger, userId, e.GetType().Name);
            return;
        }

        store.Checked(id);
        if (user is null || user.Blocked)
        {
            context.RejectPrincipal();
            await store.RemoveAsync(id, context.HttpContext, CancellationToken.None);
            LogEnded(logger, userId, user is null ? "deleted" : "blocked");
            return;
        }

        var fresh = AccessPrincipal.FromStrapi(AccessSchemes.Session, user);
        if (!Same(principal, fresh))
        {
            context.ReplacePrincipal(fresh);
            context.ShouldRenew = true;
            LogChanged(logger, userId);
        }
    }

    private static bool Same(System.Security.Claims.ClaimsPrincipal held, System.Security.Claims.ClaimsPrincipal fresh)
    {
        static string Of(System.Security.Claims.ClaimsPrincipal principal, string type)
            => string.Join(',', principal.FindAll(type).Select(claim => claim.Value).Order(StringComparer.Ordinal));

        return Of(held, AccessClaims.Role) == Of(fresh, AccessClaims.Role)
            && Of(held, AccessClaims.Email) == Of(fresh, AccessClaims.Email)
            && Of(held, AccessClaims.Name) == Of(fresh, AccessClaims.Name);
    }

    [LoggerMessage(EventId = 9311, Level = LogLevel.Warning, Message = "Session of Strapi user {UserId} ended: the user is {Reason} in Strapi")]
    private static partial void LogEnded(ILogger logger, int userId, string reason);

    [LoggerMessage(EventId = 9312, Level = LogLevel.Information, Message = "Session of Strapi user {UserId}: role, name or email changed in Strapi; the session now carries the new ones")]
    private static partial void LogChanged(ILogger logger, int userId);

    [LoggerMessage(EventId = 9313, Level = LogLevel.Warning, Message = "Session of Strapi user {UserId} not re-checked ({Error}); it is tried again after the interval")]
    private static partial void LogRecheckFailed(ILogger logger, int userId, string error);
}
