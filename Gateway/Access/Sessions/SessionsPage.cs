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

    private const string Policy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static WebApplication MapSessionsPage(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        Map(app, Path, "sessions.html", "text/html; charset=utf-8").RequireAuthorization(AccessPolicies.Admin);
        Map(app, Path + "/sessions.js", "sessions.js", "text/javascript; charset=utf-8").AllowAnonymous();
        Map(app, Path + "/sessions.css", "sessions.css", "text/css; charset=utf-8").AllowAnonymous();
        return app;
    }

    private static RouteHandlerBuilder Map(WebApplication app, string route, string resource, string contentType)
    {
        var bytes = EmbeddedFile.Read("Gateway.Access.Pages", resource);
        return app.MapGet(route, (HttpContext context) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = Policy;
            headers.XContentTypeOptions = "nosniff";
            headers.CacheControl = "no-store";
            headers["Referrer-Policy"] = "no-referrer";
            return Results.Bytes(bytes, contentType);
        });
    }
}
