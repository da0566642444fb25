using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Access;

/// <summary>
/// The sessions in Redis, by user: list a user's, end one, end all of a user's. Each end is published
/// (<see cref="SessionKeys.Revoked"/>), so every replica drops the session from memory at once.
/// </summary>
internal sealed class SessionDirectory(IConnectionMultiplexer redis, SessionSignal signal, IOptionsMonitor<AccessOptions> options)
{
    private static readonly RedisValue[] ListedFields = [SessionFields.User, SessionFields.Created, SessionFields.LastSeen, SessionFields.Client, SessionFields.Method];

    private TimeSpan Timeout => options.CurrentValue.RedisTimeout;

    /// <summary>A new session id: 256 random bits, URL-safe.</summary>
    public static string NewId() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The user a session is indexed under: the email (lower case), else <c>source:subject</c>.</summary>
    public static string UserOf(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return principal.FindFirst(AccessClaims.Email)?.Value is { Length: > 0 } email
            ? NormalizeUser(email)
            : principal.FindFirst(AccessClaims.Source)?.Value + ":" + principal.FindFirst(AccessClaims.Subject)?.Value;
    }

    public static string NormalizeUser(string user) => user.Trim().ToLowerInvariant();

    /// <summary>The user's sessions, oldest first; ids left in the index by sessions that expired are removed from it.</summary>
    public async Task<IReadOnlyList<SessionInfo>> ListAsync(string user, CancellationToken cancel)
    {
        var db = redis.GetDatabase();
        var index = SessionKeys.UserIndex(NormalizeUser(user));
        var ids = await db.SetMembersAsync(index).WaitAsync(Timeout, cancel);
        var reads = ids.Select(id => (Id: id.ToString(), Fields: db.HashGetAsync(SessionKeys.Session(id.ToString()), ListedFields))).ToList();
        var sessions = new List<SessionInfo>();
        foreach (var (id, read) in reads)
        {
            var fields = await read.WaitAsync(Timeout, cancel);
            if (fields[0].IsNull)
            {
                _ = db.SetRemoveAsync(index, id, CommandFlags.FireAndForget);
                continue;
            }

            sessions.Add(new SessionInfo(id, fields[0].ToString(), DateTimeOffset.FromUnixTimeMilliseconds((long)fields[1]),
                DateTimeOffset.FromUnixTimeMilliseconds((long)fields[2]), fields[3].IsNullOrEmpty ? null : fields[3].ToString(),
                fields[4].ToString() == AccessClaims.FromOidc ? SessionInfo.Oidc : SessionInfo.Password));
        }

        signal.Contact();
        return [.. sessions.OrderBy(session => session.Created)];
    }

    /// <summary>Ends one session; the user it belonged to, or null when there was no such session.</summary>
    public async Task<string?> RevokeAsync(string id, CancellationToken cancel)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var db = redis.GetDatabase();
        var user = await db.HashGetAsync(SessionKeys.Session(id), SessionFields.User).WaitAsync(Timeout, cancel);
        var transaction = db.CreateTransaction();
        var deleted = transaction.KeyDeleteAsync(SessionKeys.Session(id));
        if (!user.IsNullOrEmpty)
        {
            _ = transaction.SetRemoveAsync(SessionKeys.UserIndex(user.ToString()), id);
        }

        await transaction.ExecuteAsync().WaitAsync(Timeout, cancel);
        await signal.PublishRevokedAsync([id]).WaitAsync(Timeout, cancel);
        return await deleted && !user.IsNullOrEmpty ? user.ToString() : null;
    }

    /// <summary>Ends every session of <paramref name="user"/>; how many there were.</summary>
    public async Task<int> RevokeUserAsync(string user, CancellationToken cancel)
    {
        var db = redis.GetDatabase();
        var index = SessionKeys.UserIndex(NormalizeUser(user));
        var ids = (await db.SetMembersAsync(index).WaitAsync(Timeout, cancel)).Select(id => id.ToString()).ToList();
        if (ids.Count == 0)
        {
            return 0;
        }

        var transaction = db.CreateTransaction();
        var deleted = transaction.KeyDeleteAsync([.. ids.Select(SessionKeys.Session)]);
        _ = transaction.SetRemoveAsync(index, [.. ids.Select(id => (RedisValue)id)]);
        await transaction.ExecuteAsync().WaitAsync(Timeout, cancel);
        await signal.PublishRevokedAsync(ids).WaitAsync(Timeout, cancel);
        return (int)await deleted;
    }
}

/// <summary>A session as the admin API lists it.</summary>
internal sealed record SessionInfo(string Id, string User, DateTimeOffset Created, DateTimeOffset LastSeen, string? Client, string Method)
{
    public const string Password = "password";
    public const string Oidc = "oidc";
}
