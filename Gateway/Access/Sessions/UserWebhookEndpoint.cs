using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.Caching;
using Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Access;

/// <summary>
/// <c>POST /webhooks/strapi/users</c>: the Strapi project's users-permissions lifecycle hook (strapi/src/bootstrap/
/// user-changes.js) reports a changed or deleted user. Every replica drops what it holds of that user (its sessions
/// in memory, its role for bearer tokens), so the next request reads it again; blocked, deleted or a new password
/// ends every session of the user. The secret is the cache webhooks' (<see cref="ResponseCacheOptions.WebhookSecret"/>,
/// <c>X-Strapi-Webhook-Secret</c>, constant-time): missing → 401, wrong → 403, none configured → 404.
/// </summary>
internal static partial class UserWebhookEndpoint
{
    public const string Path = StrapiWebhookEndpoint.Path + "/users";
    private const long MaxBodyBytes = 16 * 1024;
    private const string Deleted = "user.delete";
    private const string PasswordChange = "password";

    public static WebApplication MapUserWebhook(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost(Path, HandleAsync).AllowAnonymous().WithBodyLimit(MaxBodyBytes);
        return app;
    }

    private static async Task<IResult> HandleAsync(HttpContext http, IOptionsMonitor<ResponseCacheOptions> options, SessionSignal signal,
        SessionDirectory sessions, ILogger<UserChange> logger)
    {
        var secret = options.CurrentValue.WebhookSecret;
        if (string.IsNullOrEmpty(secret))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Strapi webhooks are off");
        }

        if (!http.Request.Headers.TryGetValue(StrapiWebhookEndpoint.SecretHeader, out var given) || given.Count != 1)
        {
            LogRefused(logger, "no secret");
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: $"Missing {StrapiWebhookEndpoint.SecretHeader}");
        }

        if (!StrapiWebhookEndpoint.SameSecret(given.ToString(), secret))
        {
            LogRefused(logger, "wrong secret");
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: $"Wrong {StrapiWebhookEndpoint.SecretHeader}");
        }

        UserChange? change;
        try
        {
            change = await http.Request.ReadFromJsonAsync(UserChangeJsonContext.Default.UserChange, http.RequestAborted);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            change = null;
        }

        if (change is not { Id: > 0 })
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The body names no user", detail: "Send {\"event\",\"id\",\"email\",\"changed\"}.");
        }

        var ended = 0;
        try
        {
            await signal.PublishUserChangedAsync(UserChangeTokens.StrapiUser(change.Id));
            if (change.Event == Deleted || change.Blocked == true || change.Changed?.Contains(PasswordChange, StringComparer.Ordinal) == true)
            {
                ended = string.IsNullOrEmpty(change.Email) ? 0 : await sessions.RevokeUserAsync(change.Email, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
        {
            // Strapi logs the refusal; the re-check (Access:Session:RecheckInterval) catches the change meanwhile.
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Sessions are unavailable", detail: "Redis cannot be reached.");
        }

        LogChanged(logger, change.Id, change.Event, change.Changed, ended);
        return Results.NoContent();
    }

    [LoggerMessage(EventId = 9321, Level = LogLevel.Warning, Message = "Strapi user webhook refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 9322, Level = LogLevel.Information,
        Message = "Strapi user {UserId} changed ({Event}: {Changed}): dropped from every replica's memory, {Ended} sessions ended")]
    private static partial void LogChanged(ILogger logger, int userId, string? @event, IReadOnlyList<string>? changed, int ended);
}

/// <summary>What the lifecycle hook posts: <c>{"event":"user.update","id":7,"email":"…","blocked":true,"changed":["role","blocked"]}</c>.</summary>
internal sealed record UserChange(string? Event, int Id, string? Email, bool? Blocked, IReadOnlyList<string>? Changed);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(UserChange))]
internal sealed partial class UserChangeJsonContext : JsonSerializerContext;
