using System.Text.Json;
using Gateway.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Gateway.Access;

/// <summary>
/// <c>POST /auth/login</c> (Strapi credentials → the session cookie), <c>POST /auth/logout</c>, <c>GET /auth/me</c>, and
/// <c>GET /auth/login</c> (to the OpenID Connect provider, when one is configured). All open to anonymous callers.
/// </summary>
internal static partial class SignInEndpoints
{
    public static WebApplication MapAccessEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        var auth = app.MapGroup("/auth").AllowAnonymous();
        auth.MapPost("/login", SignInAsync).RequireRateLimiting(AccessPolicies.SignInLimit);
        auth.MapGet("/login", ChallengeAsync);
        auth.MapPost("/logout", SignOutAsync);
        auth.MapGet("/me", MeAsync);
        return app;
    }

    private static async Task SignInAsync(HttpContext context, StrapiUsersClient strapi, SignInAttempts attempts,
        AccessMetrics metrics, ILoggerFactory loggers)
    {
        if (!context.Request.HasJsonContentType())
        {
            await GatewayProblems.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "The body must be JSON",
                "Send Content-Type: application/json with {\"identifier\",\"password\"}.");
            return;
        }

        SignInRequest? body;
        try
        {
            body = await context.Request.ReadFromJsonAsync(AccessJsonContext.Default.SignInRequest, context.RequestAborted);
        }
        catch (JsonException)
        {
            body = null;
        }

        if (string.IsNullOrWhiteSpace(body?.Identifier) || string.IsNullOrEmpty(body.Password))
        {
            await GatewayProblems.WriteAsync(context, StatusCodes.Status400BadRequest, "Identifier and password are required",
                "Send {\"identifier\":\"…\",\"password\":\"…\"}.");
            return;
        }

        var logger = loggers.CreateLogger(typeof(SignInEndpoints));
        var identifier = SignInAttempts.Normalize(body.Identifier);
        var client = context.Connection.RemoteIpAddress;
        if (attempts.IsLocked(identifier, out var retryAfter))
        {
            metrics.SignInFailed("locked");
            LogLocked(logger, identifier, client);
            await AccessProblems.TooManyAsync(context, retryAfter);
            return;
        }

        StrapiUser? user;
        try
        {
            var id = await strapi.CheckCredentialsAsync(body.Identifier.Trim(), body.Password, context.RequestAborted);
            user = id is { } known ? await strapi.GetUserAsync(known, context.RequestAborted) : null;
        }
        catch (HttpRequestException e) when (e.StatusCode == System.Net.HttpStatusCode.TooManyRequests)
        {
            // Strapi's own limiter (USERS_PERMISSIONS_RATELIMIT) refused: pass the refusal on.
            await AccessProblems.TooManyAsync(context, TimeSpan.FromMinutes(1));
            return;
        }
        catch (HttpRequestException)
        {
            await GatewayProblems.WriteAsync(context, StatusCodes.Status502BadGateway, "Sign-in is unavailable", "Strapi could not be reached.");
            return;
        }
        catch (TaskCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            await GatewayProblems.WriteAsync(context, StatusCodes.Status504GatewayTimeout, "Sign-in is unavailable", "Strapi did not answer in time.");
            return;
        }
        catch (JsonException)
        {
            await GatewayProblems.WriteAsync(context, StatusCodes.Status502BadGateway, "Sign-in is unavailable", "Strapi's answer was not understood.");
            return;
        }

        if (user is null || user.Blocked)
        {
            attempts.Failed(identifier);
            metrics.SignInFailed("credentials");
            LogFailed(logger, identifier, client);
            await GatewayProblems.WriteAsync(context, StatusCodes.Status401Unauthorized, "Sign-in failed", "The identifier or the password is wrong.");
            return;
        }

        try
        {
            await context.SignInAsync(AccessSchemes.Session, AccessPrincipal.FromStrapi(AccessSchemes.Session, user));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // The cookie cannot be sealed: data protection cannot read its key ring (Redis down), and said so in its log.
            LogSessionStoreDown(logger, identifier);
            await GatewayProblems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Sign-in is unavailable",
                "Sessions cannot be created right now.");
            return;
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task SignOutAsync(HttpContext context)
    {
        await context.SignOutAsync(AccessSchemes.Session);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
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

    private static async Task ChallengeAsync(HttpContext context, IOptionsMonitor<AccessOptions> options, string? returnUrl)
    {
        if (string.IsNullOrEmpty(options.CurrentValue.Oidc.Authority))
        {
            await GatewayProblems.WriteAsync(context, StatusCodes.Status404NotFound, "OpenID Connect is not configured");
            return;
        }

        if (returnUrl is not null && !IsLocal(returnUrl))
        {
            await GatewayProblems.WriteAsync(context, StatusCodes.Status400BadRequest, "returnUrl must be a path on this site");
            return;
        }

        await context.ChallengeAsync(AccessSchemes.Oidc, new AuthenticationProperties { RedirectUri = returnUrl ?? "/" });
    }

    /// <summary>A path on this origin: <c>/x</c>, not <c>//host</c>, <c>/\host</c>, or anything with a scheme or control characters.</summary>
    internal static bool IsLocal(string url)
        => url.Length > 0 && url[0] == '/'
            && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
            && !url.Any(char.IsControl);

    [LoggerMessage(EventId = 9101, Level = LogLevel.Warning, Message = "Sign-in failed for {Identifier} from {Client}")]
    private static partial void LogFailed(ILogger logger, string identifier, System.Net.IPAddress? client);

    [LoggerMessage(EventId = 9103, Level = LogLevel.Warning, Message = "Sign-in of {Identifier} refused: the session keys (data protection, in Redis) cannot be read")]
    private static partial void LogSessionStoreDown(ILogger logger, string identifier);

    [LoggerMessage(EventId = 9102, Level = LogLevel.Warning, Message = "Sign-in refused for {Identifier} from {Client}: too many failures")]
    private static partial void LogLocked(ILogger logger, string identifier, System.Net.IPAddress? client);
}
