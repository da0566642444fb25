using System.Security.Claims;
using System.Text.Json.Serialization;
using Gateway.Hosting;
using StackExchange.Redis;

namespace Gateway.Access;

/// <summary>
/// The sessions admin API (policy <c>admin</c>, the <c>admin</c> rate limit): <c>GET /api/sessions?user={email}</c>
/// lists a user's sessions, <c>DELETE /api/sessions/{id}</c> ends one, <c>DELETE /api/sessions?user={email}</c> ends
/// all of a user's. Each end is logged with who did it and whose session it was. Redis unreachable: 503.
/// </summary>
internal static partial class SessionEndpoints
{
    public const string Path = "/api/sessions";
    private const string UserParameter = "user";

    public static WebApplication MapSessionsApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup(Path).RequireAuthorization(AccessPolicies.Admin).RequireRateLimiting(AccessPolicies.AdminLimit);
        api.MapGet("/", ListAsync);
        api.MapDelete("/", EndAllAsync);
        api.MapDelete("/{id}", EndOneAsync);
        return app;
    }

    private static async Task ListAsync(HttpContext context, SessionDirectory sessions)
    {
        if (await UserOfAsync(context) is not { } user)
        {
            return;
        }

        await GuardAsync(context, async () =>
        {
            var list = await sessions.ListAsync(user, context.RequestAborted);
            context.Response.Headers.CacheControl = "no-store";
            await context.Response.WriteAsJsonAsync(list, SessionJsonContext.Default.IReadOnlyListSessionInfo, contentType: null, context.RequestAborted);
        });
    }

    private static async Task EndAllAsync(HttpContext context, SessionDirectory sessions, ILogger<SessionDirectory> logger)
    {
        if (await UserOfAsync(context) is not { } user)
        {
            return;
        }

        await GuardAsync(context, async () =>
        {
            var ended = await sessions.RevokeUserAsync(user, context.RequestAborted);
            LogEndedAll(logger, Who(context.User), user, ended, context.Connection.RemoteIpAddress);
            context.Response.Headers.CacheControl = "no-store";
            await context.Response.WriteAsJsonAsync(new SessionsEnded(ended), SessionJsonContext.Default.SessionsEnded, contentType: null, context.RequestAborted);
        });
    }

    private static async Task EndOneAsync(HttpContext context, string id, SessionDirectory sessions, ILogger<SessionDirectory> logger)
    {
        await GuardAsync(context, async () =>
        {
            var whose = await sessions.RevokeAsync(id, context.RequestAborted);
            if (whose is null)
            {
                await GatewayProblems.WriteAsync(context, StatusCodes.Status404NotFound, "No such session", "It has ended already, or never was.");
                return;
            }

            LogEnded(logger, Who(context.User), whose, context.Connection.RemoteIpAddress);
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        });
    }

    private static async Task<string?> UserOfAsync(HttpContext context)
    {
        if (context.Request.Query[UserParameter] is { Count: 1 } values && values[0] is { Length: > 0 and <= 320 } user)
        {
            return user;
        }

        await GatewayProblems.WriteAsync(context, StatusCodes.Status400BadRequest, "Which user?", "Name one user: ?user={email}.");
        return null;
    }

    private static async Task GuardAsync(HttpContext context, Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e) when ((e is RedisException or TimeoutException) && !context.Response.HasStarted)
        {
            await GatewayProblems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Sessions are unavailable", "Redis, where sessions live, cannot be reached. Try again later.");
        }
    }

    /// <summary>Who is acting: the signed-in admin's email or name, or the admin key.</summary>
    private static string Who(ClaimsPrincipal user)
        => user.FindFirst(AccessClaims.Email)?.Value ?? user.FindFirst(AccessClaims.Name)?.Value ?? user.FindFirst(AccessClaims.Source)?.Value ?? "unknown";

    [LoggerMessage(EventId = 9331, Level = LogLevel.Warning, Message = "Session of {User} ended by {Admin} from {Client}")]
    private static partial void LogEnded(ILogger logger, string admin, string user, System.Net.IPAddress? client);

    [LoggerMessage(EventId = 9332, Level = LogLevel.Warning, Message = "Every session of {User} ended by {Admin} from {Client} ({Count} sessions)")]
    private static partial void LogEndedAll(ILogger logger, string admin, string user, int count, System.Net.IPAddress? client);
}

/// <summary>The answer of <c>DELETE /api/sessions?user=</c>.</summary>
internal sealed record SessionsEnded(int Ended);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(IReadOnlyList<SessionInfo>))]
[JsonSerializable(typeof(SessionsEnded))]
internal sealed partial class SessionJsonContext : JsonSerializerContext;
