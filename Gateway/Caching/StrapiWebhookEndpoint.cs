using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Caching;

/// <summary>
/// <c>POST /webhooks/strapi</c>: Strapi reports a change made elsewhere (admin panel, another client), and the changed
/// collection's cached answers are evicted. The shared secret comes in <c>X-Strapi-Webhook-Secret</c>, compared in
/// constant time: missing → 401, wrong → 403; with no secret configured the endpoint is off (404).
/// </summary>
internal static partial class StrapiWebhookEndpoint
{
    public const string Path = "/webhooks/strapi";
    public const string SecretHeader = "X-Strapi-Webhook-Secret";
    private const int MaxBodyBytes = 1024 * 1024;

    public static WebApplication MapStrapiWebhooks(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost(Path, HandleAsync).AllowAnonymous().WithBodyLimit(MaxBodyBytes);
        return app;
    }

    private static async Task<IResult> HandleAsync(HttpContext http, IOptionsMonitor<ResponseCacheOptions> options, CacheEviction eviction, ILogger<CacheEviction> logger)
    {
        var secret = options.CurrentValue.WebhookSecret;
        if (string.IsNullOrEmpty(secret))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Strapi webhooks are off",
                detail: "Set ResponseCache:WebhookSecret to turn them on.");
        }

        if (!http.Request.Headers.TryGetValue(SecretHeader, out var given) || given.Count != 1)
        {
            LogRefused(logger, "no secret");
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: $"Missing {SecretHeader}");
        }

        if (!SameSecret(given.ToString(), secret))
        {
            LogRefused(logger, "wrong secret");
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: $"Wrong {SecretHeader}");
        }

        StrapiWebhookEvent? change;
        try
        {
            change = await http.Request.ReadFromJsonAsync(CachingJsonContext.Default.StrapiWebhookEvent, http.RequestAborted);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The webhook body is not Strapi's JSON event");
        }

        var collection = eviction.CollectionOfModel(change?.Uid, change?.Model);
        if (collection is not null)
        {
            await eviction.EvictAsync(collection, change?.Event ?? "webhook", CancellationToken.None);
        }

        return Results.NoContent();
    }

    /// <summary>Constant time whatever the lengths: the digests are compared, never the strings.</summary>
    internal static bool SameSecret(string given, string secret)
        => CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    [LoggerMessage(EventId = 11020, Level = LogLevel.Warning, Message = "Strapi webhook refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
