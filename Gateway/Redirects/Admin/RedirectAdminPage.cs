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

    private const string Policy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

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
            var bytes = Read(resource);
            app.MapGet(route, (HttpContext context) =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = Policy;
                headers.XContentTypeOptions = "nosniff";
                headers.CacheControl = "no-store";
                // Not no-referrer: under it chromium sends Origin: null with the sign-out form's POST, which is refused (403).
                headers["Referrer-Policy"] = "same-origin";
                return Results.Bytes(bytes, contentType);
            }).AllowAnonymous(); // the page's shell holds no data: everything it shows comes from the admin API (policy admin)
        }

        return app;
    }

    private static byte[] Read(string name) => EmbeddedFile.Read("Gateway.Redirects.Admin", name);
}
