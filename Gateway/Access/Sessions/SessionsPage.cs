using Gateway.Hosting;

namespace Gateway.Access;

/// <summary>
/// <c>/admin/sessions</c>: a static page (HTML, CSS, JS embedded in the assembly) over the sessions admin API: a
/// person's sessions, ending one or all. The page needs the <c>admin</c> policy (a signed-out navigation goes to the
/// sign-in page); its script and style sheet hold nothing and are open. Strict Content-Security-Policy (same-origin
/// script, style and fetches; no inline code, no framing), never cached.
/// </summary>
internal static class SessionsPage
{
    public const string Path = "/admin/sessions";

    public static WebApplication MapSessionsPage(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        Map(app, Path, "sessions.html", "text/html; charset=utf-8").RequireAuthorization(AccessPolicies.Admin);
        Map(app, Path + "/sessions.js", "sessions.js", "text/javascript; charset=utf-8").AllowAnonymous();
        Map(app, Path + "/sessions.css", "sessions.css", "text/css; charset=utf-8").AllowAnonymous();
        return app;
    }

    private static RouteHandlerBuilder Map(WebApplication app, string route, string resource, string contentType)
        => app.MapEmbeddedFile(route, "Gateway.Access.Pages", resource, contentType);
}
