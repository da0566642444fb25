using Gateway.Hosting;
using System.Text.Encodings.Web;

namespace Gateway.Access;

/// <summary>
/// The gateway's own pages for people in a browser: sign-in, sign-out and "not allowed". Plain HTML and one style
/// sheet, embedded in the assembly (like the redirect admin page), rendered by filling <c>{{name}}</c> slots with
/// HTML-encoded values; no script at all, so the Content-Security-Policy allows none. Never cached, never framed.
/// </summary>
internal static class AccessPages
{
    public const string StylePath = "/auth/assets/gateway.css";

    private const string Policy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private static readonly string SignInTemplate = Read("signin.html");
    private static readonly string SignOutTemplate = Read("signout.html");
    private static readonly string ForbiddenTemplate = Read("forbidden.html");
    private static readonly byte[] Style = EmbeddedFile.Read("Gateway.Access.Pages", "gateway.css");

    /// <summary>The sign-in page: the form for Strapi's users (with a message after a failure) and the provider's button.</summary>
    public static Task SignInAsync(HttpContext context, int status, string returnUrl, string? identifier = null, string? message = null)
    {
        ArgumentNullException.ThrowIfNull(context);

        var access = OptionsOf(context);
        var oidc = access.Oidc;
        var html = Fill(SignInTemplate, access.SiteName,
            ("returnUrl", Encode(returnUrl)),
            ("identifier", Encode(identifier ?? "")),
            ("message", message is null ? "" : $"<p id=\"message\" class=\"message\" role=\"alert\">{Encode(message)}</p>"),
            ("oidc", string.IsNullOrWhiteSpace(oidc.Authority) ? "" :
                $"<p class=\"or\">or</p><a id=\"oidc\" class=\"button\" href=\"{Encode(SignInEndpoints.OidcPath + "?" + ReturnUrl.Parameter + "=" + Uri.EscapeDataString(returnUrl))}\">Sign in with {Encode(oidc.DisplayName)}</a>"));
        return WriteAsync(context, status, html);
    }

    public static Task SignOutAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        var user = context.User;
        var who = user.Identity?.IsAuthenticated == true
            ? $"You are signed in as {Describe(user)}."
            : "You are not signed in.";
        var access = OptionsOf(context);
        return WriteAsync(context, StatusCodes.Status200OK, Fill(SignOutTemplate, access.SiteName, ("who", Encode(who))));
    }

    /// <summary>403 for a person: who they are and which roles the page needs.</summary>
    public static Task ForbiddenAsync(HttpContext context, IReadOnlyCollection<string> roles)
    {
        ArgumentNullException.ThrowIfNull(context);

        var access = OptionsOf(context);
        return WriteAsync(context, StatusCodes.Status403Forbidden, Fill(ForbiddenTemplate, access.SiteName,
            ("who", Encode(Describe(context.User))),
            ("roles", Encode(roles.Count > 0 ? string.Join(", ", roles) : "(none configured)"))));
    }

    public static WebApplication MapAccessPageAssets(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.MapGet(StylePath, (HttpContext context) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers.CacheControl = "public, max-age=3600";
            return Results.Bytes(Style, "text/css; charset=utf-8");
        }).AllowAnonymous();
        return app;
    }

    /// <summary>"name (email)", or whichever of the two the principal has.</summary>
    internal static string Describe(System.Security.Claims.ClaimsPrincipal user)
    {
        var name = user.FindFirst(AccessClaims.Name)?.Value;
        var email = user.FindFirst(AccessClaims.Email)?.Value;
        return (name, email) switch
        {
            ({ Length: > 0 }, { Length: > 0 }) when name != email => $"{name} ({email})",
            ({ Length: > 0 }, _) => name,
            (_, { Length: > 0 }) => email,
            _ => user.FindFirst(AccessClaims.Subject)?.Value ?? "an unnamed user",
        };
    }

    private static AccessOptions OptionsOf(HttpContext context)
        => context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<AccessOptions>>().CurrentValue;

    private static Task WriteAsync(HttpContext context, int status, string html)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        var headers = response.Headers;
        headers.ContentSecurityPolicy = Policy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "same-origin";
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.WriteAsync(html, context.RequestAborted);
    }

    private static string Fill(string template, string site, params (string Name, string Html)[] slots)
    {
        var html = template.Replace("{{site}}", Encode(site), StringComparison.Ordinal);
        foreach (var (name, value) in slots)
        {
            html = html.Replace("{{" + name + "}}", value, StringComparison.Ordinal);
        }

        return html;
    }

    private static string Encode(string value) => HtmlEncoder.Default.Encode(value);

    private static string Read(string name) => System.Text.Encoding.UTF8.GetString(EmbeddedFile.Read("Gateway.Access.Pages", name));
}
