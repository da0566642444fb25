using Gateway.Hosting;
using Gateway.Access;
using StackExchange.Redis;

namespace Gateway.Redirects;

/// <summary>
/// <c>GET /api/redirects/{key}</c> (policy <c>reader</c>): the entry, or 404. The admin API (policy <c>admin</c>: the
/// <c>X-Admin-Key</c> header or a signed-in admin; the <c>admin</c> rate limit): <c>GET /api/redirects</c> lists (with
/// hits), <c>GET /api/redirects/export</c> and <c>POST /api/redirects/import</c> move whole tables (JSON or CSV),
/// <c>PUT /api/redirects/{key}</c> sets, <c>DELETE /api/redirects/{key}</c> removes; and the admin page. Keys are paths, URL-encoded
/// (<c>%2Fapi%2Fv1%2Frevenues</c>), or the original's form (<c>-api-v1-revenues</c>).
/// </summary>
internal static class RedirectEndpoints
{
    public const string AdminKeyHeader = "X-Admin-Key";
    private const int DefaultListLimit = 1000;

    public static WebApplication MapRedirectsApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // Not .Value here: options are validated (a short admin key refused) when the app starts, not while mapping.
        var limits = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RedirectOptions>>();
        var api = app.MapGroup("/api/redirects");
        api.MapGet("/{key}", Get).RequireAuthorization(AccessPolicies.Reader);
        var admin = api.MapGroup("").RequireAuthorization(AccessPolicies.Admin).RequireRateLimiting(AccessPolicies.AdminLimit);
        admin.MapGet("/", ListAsync);
        admin.MapGet("/export", ExportAsync);
        admin.MapPost("/import", ImportAsync).WithBodyLimit(() => limits.Value.MaxImportBytes);
        admin.MapPut("/{key}", SetAsync).WithBodyLimit(() => limits.Value.MaxEntryBytes);
        admin.MapDelete("/{key}", RemoveAsync);
        app.MapRedirectAdminPage();
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

    /// <summary>Entries sorted by path, each with its hits over every replica and its last hit; <c>X-Hits-Unknown: 1</c> when Redis could not say.</summary>
    private static async Task<IResult> ListAsync(HttpContext context, RedirectSnapshot snapshot, RedirectListing listing, string? prefix, int? limit, DateTimeOffset? notHitSince)
    {
        var (items, hitsKnown) = await listing.ListAsync(snapshot.Current.Entries, prefix, notHitSince, Math.Clamp(limit ?? DefaultListLimit, 1, 1_000_000));
        if (!hitsKnown)
        {
            context.Response.Headers["X-Hits-Unknown"] = "1";
        }

        return Results.Text(RedirectListing.ToJson(items), "application/json", System.Text.Encoding.UTF8);
    }

    /// <summary>The whole table as a download: JSON (key → entry) or, with <c>?format=csv</c>, CSV.</summary>
    private static IResult ExportAsync(RedirectSnapshot snapshot, string? format)
    {
        var csv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase);
        var entries = snapshot.Current.Entries;
        return Results.Stream(
            async body =>
            {
                // Written to memory first (CsvHelper writes synchronously), then out.
                using var buffer = new MemoryStream();
                if (csv)
                {
                    RedirectFile.WriteCsv(buffer, entries);
                }
                else
                {
                    await RedirectFile.WriteJsonAsync(buffer, entries, CancellationToken.None);
                }

                buffer.Position = 0;
                await buffer.CopyToAsync(body);
            },
            csv ? "text/csv; charset=utf-8" : "application/json",
            csv ? "redirects.csv" : "redirects.json");
    }

    /// <summary>
    /// A whole table in the body (JSON, <c>application/json</c>, or CSV, <c>text/csv</c>; anything else is a 415), added to
    /// the table or, with <c>?mode=replace</c>, made the table. All or nothing: a 400 problem lists every bad line.
    /// </summary>
    private static async Task<IResult> ImportAsync(HttpRequest request, RedirectImporter importer, string? mode)
    {
        var format = request.ContentType is { } type && type.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) ? RedirectFileFormat.Csv
            : request.HasJsonContentType() ? RedirectFileFormat.Json
            : (RedirectFileFormat?)null;
        if (format is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Send the table as application/json or text/csv");
        }

        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
        IReadOnlyList<RedirectFileItem> items;
        try
        {
            items = RedirectFile.Read(body.ToArray(), format.Value);
        }
        catch (InvalidDataException e)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a redirect table", detail: e.Message);
        }

        var replace = string.Equals(mode, "replace", StringComparison.OrdinalIgnoreCase);
        return await WhileRedisAnswersAsync(async () =>
        {
            var result = await importer.ImportAsync(items, replace ? ImportMode.Replace : ImportMode.Merge, AuthorOf(request.HttpContext), request.HttpContext.RequestAborted);
            if (result.BusyWith is { } holder)
            {
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Another import is running",
                    detail: $"An import by {holder} is still running; nothing was written. Try again when it has ended.");
            }

            return result.Problems.Count > 0
                ? Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Nothing imported",
                    detail: $"{result.Problems.Count} entries refused; the table is unchanged.",
                    extensions: new Dictionary<string, object?> { ["errors"] = result.Problems })
                : Results.Json(new ImportSummary(result.Written, result.Deleted), RedirectJsonContext.Default.ImportSummary);
        });
    }

    /// <summary>
    /// The entry is read here rather than bound by the framework, so a body over the limit or not JSON is a problem that
    /// says so (the binder answers both with an empty status).
    /// </summary>
    private static async Task<IResult> SetAsync(string key, RedirectEditor editor, HttpContext context)
    {
        if (!context.Request.HasJsonContentType())
        {
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Send the entry as application/json");
        }

        RedirectEntry? entry;
        try
        {
            entry = await context.Request.ReadFromJsonAsync(RedirectJsonContext.Default.RedirectEntry, context.RequestAborted);
        }
        catch (System.Text.Json.JsonException)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The entry is not JSON",
                detail: "Send {\"destination\":…,\"permanent\":…}.");
        }

        return await WhileRedisAnswersAsync(async () =>
        {
            var problem = await editor.SetAsync(KeyOf(key), entry, AuthorOf(context));
            return problem is null
                ? Results.NoContent()
                : Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Redirect refused", detail: problem);
        });
    }

    private static Task<IResult> RemoveAsync(string key, RedirectEditor editor, HttpContext context)
        => WhileRedisAnswersAsync(async () => await editor.RemoveAsync(KeyOf(key), AuthorOf(context))
            ? Results.NoContent()
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No redirect for this key"));

    /// <summary>A write Redis does not take (down, hanging, timing out) is a 503 problem: the table is unavailable, not broken.</summary>
    private static async Task<IResult> WhileRedisAnswersAsync(Func<Task<IResult>> write)
    {
        try
        {
            return await write();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The redirect table cannot be changed now",
                detail: "Redis, where the table lives, did not answer; the change may not have been made. Try again shortly.");
        }
    }

    private static string KeyOf(string routeValue) => RedirectKey.Normalize(Uri.UnescapeDataString(routeValue));

    private static RedirectAuthor AuthorOf(HttpContext context)
        => new(context.User.FindFirst(AccessClaims.Email)?.Value ?? context.User.Identity?.Name ?? "unknown", context.Connection.RemoteIpAddress);
}
