using Gateway.Hosting;

namespace Gateway.Redirects;

/// <summary>
/// <c>/admin/redirects</c>: a static page (HTML, CSS, JS embedded in the assembly) over the admin API, which does the
/// access control; the page itself holds nothing secret. Served with a strict Content-Security-Policy (same-origin
/// scripts, styles and fetches only; no inline code, no framing) and never cached. A mapped endpoint wins over the
/// frontend's catch-all route.
/// </summary>
internal static class RedirectAdminPage
{
    public const string Path = "/admin/redirects";

    private static readonly (string Route, string Resource, string ContentType)[] Files =
    [
        (Path, "redirects.html", "text/html; charset=utf-8"),
        (Path + "/redirects.js", "redirects.js", "text/javascript; charset=utf-8"),
        (Path + "/redirects.css", "redirects.css", "text/css; charset=utf-8"),
    ];

    public static WebApplication MapRedirectAdminPage(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        foreach (var (route, resource, contentType) in Files)
        {
            // The page's shell holds no data: everything it shows comes from the admin API (policy admin).
            app.MapEmbeddedFile(route, "Gateway.Redirects.Admin", resource, contentType).AllowAnonymous();
        }

        return app;
    }
}
