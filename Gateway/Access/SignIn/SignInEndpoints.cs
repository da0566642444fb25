using Gateway.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Gateway.Access;

/// <summary>
/// The door, for people and for scripts, all open to anonymous callers: <c>GET /auth/login</c> (the sign-in page),
/// <c>POST /auth/login</c> (Strapi credentials, as a form or JSON: <see cref="PasswordSignIn"/>),
/// <c>GET /auth/login/oidc</c> (to the OpenID Connect provider, when one is configured), <c>GET /auth/logout</c> (a
/// page with a sign-out button), <c>POST /auth/logout</c>, and <c>GET /auth/me</c>.
/// </summary>
internal static class SignInEndpoints
{
    public const string LoginPath = "/auth/login";

    public const string OidcPath = "/auth/login/oidc";

    public const string LogoutPath = "/auth/logout";

    public static WebApplication MapAccessEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.MapGet(LoginPath, (HttpContext context) => AccessPages.SignInAsync(context, StatusCodes.Status200OK, ReturnUrlOf(context.Request)))
            .AllowAnonymous();
        app.MapPost(LoginPath, PasswordSignIn.HandleAsync).AllowAnonymous().WithBodyLimit(PasswordSignIn.MaxBodyBytes); // its limits are shared counters: see PasswordSignIn
        app.MapGet(OidcPath, ChallengeAsync).AllowAnonymous();
        app.MapGet(LogoutPath, AccessPages.SignOutAsync).AllowAnonymous().WithCallerIdentity(); // "You are signed in as …"
        app.MapPost(LogoutPath, SignOutAsync).AllowAnonymous().WithBodyLimit(PasswordSignIn.MaxBodyBytes);
        app.MapGet("/auth/me", MeAsync).AllowAnonymous().WithCallerIdentity();
        app.MapAccessPageAssets();
        app.MapSessionsApi();
        app.MapSessionsPage();
        app.MapUserWebhook();
        return app;
    }

    /// <summary>The one <c>returnUrl</c> of the query, made safe; none, several or a bad one: <c>/</c>.</summary>
    internal static string ReturnUrlOf(HttpRequest request)
        => ReturnUrl.From(request.Query[ReturnUrl.Parameter]);

    /// <summary>
    /// Ends the gateway's session. A browser's form (<c>GET /auth/logout</c>'s button) must come from this origin and
    /// is sent to the sign-in page (<c>303</c>); a script gets <c>204</c>.
    /// </summary>
    private static async Task SignOutAsync(HttpContext context)
    {
        var browser = context.Request.HasFormContentType;
        if (browser && !CrossSiteGuard.FromThisOrigin(context.Request))
        {
            await AccessProblems.CrossSiteAsync(context);
            return;
        }

        await context.SignOutAsync(AccessSchemes.Session);
        context.Response.Headers.CacheControl = "no-store";
        if (browser)
        {
            SeeOther(context.Response, LoginPath);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary><c>303 See Other</c>: after a form POST, the browser GETs <paramref name="location"/>.</summary>
    internal static void SeeOther(HttpResponse response, string location)
    {
        response.StatusCode = StatusCodes.Status303SeeOther;
        response.Headers.Location = location;
    }

    private static async Task MeAsync(HttpContext context)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            await AccessProblems.UnauthorizedAsync(context);
            return;
        }

        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsJsonAsync(new SignedInUser(
                user.FindFirst(AccessClaims.Name)?.Value,
                user.FindFirst(AccessClaims.Email)?.Value,
                [.. user.FindAll(AccessClaims.Role).Select(claim => claim.Value)],
                user.FindFirst(AccessClaims.Source)?.Value),
            AccessJsonContext.Default.SignedInUser, contentType: null, context.RequestAborted);
    }

    /// <summary>To the provider (code + PKCE); back on <c>returnUrl</c>, which is only ever a local path.</summary>
    private static async Task ChallengeAsync(HttpContext context, IOptionsMonitor<AccessOptions> options)
    {
        if (string.IsNullOrEmpty(options.CurrentValue.Oidc.Authority))
        {
            await GatewayProblems.WriteAsync(context, StatusCodes.Status404NotFound, "OpenID Connect is not configured");
            return;
        }

        await context.ChallengeAsync(AccessSchemes.Oidc, new AuthenticationProperties { RedirectUri = ReturnUrlOf(context.Request) });
    }
}
