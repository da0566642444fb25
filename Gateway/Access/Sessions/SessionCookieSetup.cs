using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Gateway.Access;

/// <summary>
/// The session cookie: HttpOnly, SameSite=Lax, Secure when the request is HTTPS, sliding lifetime and name from
/// <see cref="SessionOptions"/>. The ticket itself lives in Redis (<see cref="RedisTicketStore"/>): the cookie carries only
/// the session's id, sealed; each request's principal is re-checked against Strapi now and then (<see cref="SessionRecheck"/>).
/// An API has no login page: where the handler would redirect, it answers 401 or 403.
/// </summary>
internal sealed class SessionCookieSetup(IOptions<AccessOptions> access, IMemoryCache cache, TimeProvider clock, RedisTicketStore store, SessionRecheck recheck)
    : IConfigureNamedOptions<CookieAuthenticationOptions>, IPostConfigureOptions<CookieAuthenticationOptions>
{
    public void Configure(string? name, CookieAuthenticationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (name != AccessSchemes.Session)
        {
            return;
        }

        var session = access.Value.Session;
        options.Cookie.Name = session.CookieName;
        options.Cookie.HttpOnly = true;
        options.Cookie.SameSite = SameSiteMode.Lax;
        options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.ExpireTimeSpan = session.Lifetime;
        options.SlidingExpiration = true;
        options.SessionStore = store;
        options.Events.OnValidatePrincipal = recheck.ValidateAsync;
        options.Events.OnRedirectToLogin = context => SetStatus(context.Response, StatusCodes.Status401Unauthorized);
        options.Events.OnRedirectToAccessDenied = context => SetStatus(context.Response, StatusCodes.Status403Forbidden);
        options.Events.OnRedirectToLogout = _ => Task.CompletedTask;
        options.Events.OnRedirectToReturnUrl = _ => Task.CompletedTask;
    }

    public void Configure(CookieAuthenticationOptions options) => Configure(Options.DefaultName, options);

    /// <summary>
    /// After the cookie handler's own post-configuration has made its ticket format: the cached one around it. With the
    /// tickets in Redis the cookie holds only the session id, but opening it (data protection) still costs more than the
    /// rest of a proxied request; an ended session is refused by the store, whatever this cache holds.
    /// </summary>
    public void PostConfigure(string? name, CookieAuthenticationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (name == AccessSchemes.Session && options.TicketDataFormat is { } format and not CachedTicketFormat)
        {
            options.TicketDataFormat = new CachedTicketFormat(format, cache, clock);
        }
    }

    private static Task SetStatus(HttpResponse response, int status)
    {
        response.StatusCode = status;
        return Task.CompletedTask;
    }
}
