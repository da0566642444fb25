using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// Strapi's users-permissions as the gateway asks it, over a <see cref="StubUpstream"/>: <c>POST /api/auth/local</c>
/// (a right password for a known, unblocked user answers after <see cref="PasswordCheck"/>, as bcrypt would; an unknown
/// identifier answers at once, as Strapi does), <c>GET /api/users/{id}</c> and <c>GET /api/users?filters…</c> (the
/// identifier's lookup), with users a test can change; anything else an empty list.
/// </summary>
public sealed class StrapiUsersStandIn
{
    public sealed record User(int Id, string Username, string Email, string Password, string? Role, bool Blocked = false);

    public ConcurrentDictionary<int, User> Users { get; } = new();

    /// <summary>How long a password check of an existing account takes.</summary>
    public TimeSpan PasswordCheck { get; set; } = TimeSpan.FromMilliseconds(60);

    private int _credentialChecks;

    /// <summary>How many times <c>/api/auth/local</c> was asked.</summary>
    public int CredentialChecks => Volatile.Read(ref _credentialChecks);

    public void Add(User user) => Users[user.Id] = user;

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        context.Response.ContentType = "application/json";
        if (path == "/api/auth/local")
        {
            Interlocked.Increment(ref _credentialChecks);
            using var body = await JsonDocument.ParseAsync(context.Request.Body);
            var identifier = body.RootElement.GetProperty("identifier").GetString();
            var password = body.RootElement.GetProperty("password").GetString();
            var user = Find(identifier);
            if (user is not null)
            {
                await Task.Delay(PasswordCheck);
            }

            if (user is null || user.Password != password || user.Blocked)
            {
                context.Response.StatusCode = 400;
                await context.Response.WriteAsync("""{"error":{"status":400,"name":"ValidationError","message":"Invalid identifier or password"}}""");
                return;
            }

            await context.Response.WriteAsync($$$"""{"jwt":"not-kept","user":{"id":{{{user.Id}}}}}""");
            return;
        }

        if (path.StartsWith("/api/users/", StringComparison.Ordinal) && int.TryParse(path["/api/users/".Length..], out var id))
        {
            if (!Users.TryGetValue(id, out var user))
            {
                context.Response.StatusCode = 404;
                await context.Response.WriteAsync("""{"error":{"status":404}}""");
                return;
            }

            await context.Response.WriteAsync(Json(user));
            return;
        }

        if (path == "/api/users")
        {
            var wanted = context.Request.Query.Where(q => q.Key.Contains("email", StringComparison.Ordinal) || q.Key.Contains("username", StringComparison.Ordinal))
                .Select(q => q.Value.ToString()).FirstOrDefault();
            var found = Find(wanted);
            await context.Response.WriteAsync(found is null ? "[]" : $"[{Json(found)}]");
            return;
        }

        await context.Response.WriteAsync("""{"data":[],"meta":{"pagination":{"page":1,"pageSize":25,"pageCount":0,"total":0}}}""");
    }

    private User? Find(string? identifier)
        => identifier is null ? null : Users.Values.FirstOrDefault(u => string.Equals(u.Email, identifier, StringComparison.OrdinalIgnoreCase)
            || string.Equals(u.Username, identifier, StringComparison.OrdinalIgnoreCase));

    private static string Json(User user)
        => JsonSerializer.Serialize(new
        {
            id = user.Id,
            username = user.Username,
            email = user.Email,
            blocked = user.Blocked,
            role = user.Role is null ? null : new { type = user.Role, name = user.Role },
        });
}
