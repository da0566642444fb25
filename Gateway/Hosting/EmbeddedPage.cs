namespace Gateway.Hosting;

/// <summary>
/// The gateway's own admin pages (redirects, sessions): a file embedded in the assembly, served with a strict
/// Content-Security-Policy (same-origin script, style and fetches; no inline code, no framing), never cached. The page's
/// shell holds no data: what it shows comes from an admin API, which does the access control.
/// </summary>
internal static class EmbeddedPage
{
    private const string Policy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static RouteHandlerBuilder MapEmbeddedFile(this WebApplication app, string route, string prefix, string resource, string contentType)
    {
        ArgumentNullException.ThrowIfNull(app);

        var bytes = EmbeddedFile.Read(prefix, resource);
        return app.MapGet(route, (HttpContext context) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = Policy;
            headers.XContentTypeOptions = "nosniff";
            headers.CacheControl = "no-store";
            // Not no-referrer: under it chromium sends Origin: null with a form's POST (sign-out), which is refused (403).
            headers["Referrer-Policy"] = "same-origin";
            return Results.Bytes(bytes, contentType);
        });
    }
}
