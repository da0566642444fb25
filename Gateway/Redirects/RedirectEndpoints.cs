using Gateway.Access;

namespace Gateway.Redirects;

/// <summary>
/// <c>GET /api/redirects/{key}</c> (policy <c>reader</c>, like every /api route): the entry, or 404. The admin API, for
/// callers the <c>admin</c> policy lets in (the <c>X-Admin-Key</c> header or a signed-in admin), rate-limited per client: <c>GET /api/redirects</c>
/// lists, <c>PUT /api/redirects/{key}</c> sets, <c>DELETE /api/redirects/{key}</c> removes. Keys are paths, URL-encoded
/// (<c>%2Fapi%2Fv1%2Frevenues</c>), or the original's form (<c>-api-v1-revenues</c>).
/// </summary>
internal static class RedirectEndpoints
{
    private const int DefaultListLimit = 1000;

    public static WebApplication MapRedirectsApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        var api = app.MapGroup("/api/redirects");
        api.MapGet("/{key}", Get).RequireAuthorization(AccessPolicies.Reader);
        var admin = api.MapGroup("").RequireAuthorization(AccessPolicies.Admin).RequireRateLimiting(AccessPolicies.AdminLimit);
        admin.MapGet("/", List);
        admin.MapPut("/{key}", SetAsync);
        admin.MapDelete("/{key}", RemoveAsync);
        return app;
    }

    private static IResult Get(string key, RedirectSnapshot snapshot)
    {
        var path = KeyOf(key);
        var entry = snapshot.Current.Find(path);
        return entry is null
            ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No redirect for this key", detail: path)
            : Results.Json(entry, RedirectJsonContext.Default.RedirectEntry);
    }

    private static IResult List(RedirectSnapshot snapshot, string? prefix, int? limit)
    {
        var entries = snapshot.Current.Entries
            .Where(pair => prefix is null || pair.Key.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Take(Math.Clamp(limit ?? DefaultListLimit, 1, 100_000))
            .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        return Results.Json(entries, RedirectJsonContext.Default.DictionaryStringRedirectEntry);
    }

    private static async Task<IResult> SetAsync(string key, RedirectEntry? entry, RedirectEditor editor, HttpContext context)
    {
        var problem = await editor.SetAsync(KeyOf(key), entry, AuthorOf(context));
        return problem is null
            ? Results.NoContent()
            : Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Redirect refused", detail: problem);
    }

    private static async Task<IResult> RemoveAsync(string key, RedirectEditor editor, HttpContext context)
        => await editor.RemoveAsync(KeyOf(key), AuthorOf(context))
            ? Results.NoContent()
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No redirect for this key");

    private static string KeyOf(string routeValue) => RedirectKey.Normalize(Uri.UnescapeDataString(routeValue));

    private static RedirectEditor.Author AuthorOf(HttpContext context)
        => new(context.User.FindFirst(AccessClaims.Email)?.Value ?? context.User.Identity?.Name ?? "unknown", context.Connection.RemoteIpAddress);
}
