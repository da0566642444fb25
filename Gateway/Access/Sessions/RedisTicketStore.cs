using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Access;

/// <summary>
/// Server-side sessions (<see cref="ITicketStore"/>): the ticket lives in Redis under a random id, and the cookie
/// carries only that id, sealed. Each replica keeps the sessions it recently used in memory (no Redis round trip on
/// the hot path) and drops one the moment it hears, through <see cref="SessionSignal"/>, that it ended anywhere. A
/// session ends after <see cref="SessionOptions.Lifetime"/> unused (the cookie handler's sliding expiry; Redis expires
/// it too) and <see cref="SessionOptions.AbsoluteLifetime"/> after it began, however much it is used. Redis
/// unreachable: sessions held here work while <see cref="SessionSignal.MemoryTrusted"/>; nothing else does, and a new
/// session cannot be made (<see cref="SessionStoreUnavailableException"/>: sign-in answers 503).
/// </summary>
internal sealed class RedisTicketStore : ITicketStore, IDisposable
{
    /// <summary>How long an unused session stays in this replica's memory.</summary>
    private static readonly TimeSpan MemoryLifetime = TimeSpan.FromMinutes(5);

    /// <summary>How often a session used from memory tells Redis it was seen (for the admin's list), without waiting.</summary>
    private static readonly TimeSpan SeenEvery = TimeSpan.FromMinutes(1);

    private const string TouchScript = "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end";

    private readonly IConnectionMultiplexer _redis;
    private readonly SessionSignal _signal;
    private readonly SessionDirectory _directory;
    private readonly UserChangeTokens _users;
    private readonly IOptionsMonitor<AccessOptions> _options;
    private readonly TimeProvider _clock;
    private readonly MemoryCache _memory = new(new MemoryCacheOptions());

    public RedisTicketStore(IConnectionMultiplexer redis, SessionSignal signal, SessionDirectory directory, UserChangeTokens users,
        IOptionsMonitor<AccessOptions> options, TimeProvider clock)
    {
        _redis = redis;
        _signal = signal;
        _directory = directory;
        _users = users;
        _options = options;
        _clock = clock;
        _signal.Revoked += Forget;
        _signal.Reset += _memory.Clear;
    }

    private SessionOptions Settings => _options.CurrentValue.Session;

    public Task<string> StoreAsync(AuthenticationTicket ticket) => StoreAsync(ticket, null!, CancellationToken.None);

    public Task<string> StoreAsync(AuthenticationTicket ticket, CancellationToken cancellationToken) => StoreAsync(ticket, null!, cancellationToken);

    public async Task<string> StoreAsync(AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        if (!_signal.Reachable)
        {
            throw new SessionStoreUnavailableException("Redis is unreachable.");
        }

        var id = SessionDirectory.NewId();
        var created = _clock.GetUtcNow();
        ticket.Properties.Items[SessionItems.Created] = created.ToString("O", CultureInfo.InvariantCulture);
        ticket.Properties.Items.Remove(SessionItems.Id);
        var user = SessionDirectory.UserOf(ticket.Principal);
        var db = _redis.GetDatabase();
        var transaction = db.CreateTransaction();
        _ = transaction.HashSetAsync(SessionKeys.Session(id),
        [
            new(SessionFields.Ticket, TicketSerializer.Default.Serialize(ticket)),
            new(SessionFields.User, user),
            new(SessionFields.Created, created.ToUnixTimeMilliseconds()),
            new(SessionFields.LastSeen, created.ToUnixTimeMilliseconds()),
            new(SessionFields.Client, httpContext?.Connection.RemoteIpAddress?.ToString() ?? ""),
            new(SessionFields.Method, ticket.Principal.FindFirst(AccessClaims.Source)?.Value ?? ""),
            new(SessionFields.Checked, created.ToUnixTimeMilliseconds()),
        ]);
        _ = transaction.KeyExpireAsync(SessionKeys.Session(id), EndOf(ticket, created).UtcDateTime);
        _ = transaction.SetAddAsync(SessionKeys.UserIndex(user), id);

        // No session of the user outlives the newest one's absolute end.
        _ = transaction.KeyExpireAsync(SessionKeys.UserIndex(user), Settings.AbsoluteLifetime);
        try
        {
            await transaction.ExecuteAsync().WaitAsync(_options.CurrentValue.RedisTimeout, _clock, cancellationToken);
            _signal.Contact();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _signal.Failed(e is TimeoutException ? "timed out" : e.GetType().Name);
            throw new SessionStoreUnavailableException("The session could not be written to Redis.", e);
        }

        Hold(new HeldSession(id, ticket, created, user) { Checked = created.ToUnixTimeMilliseconds() });
        return id;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) => RenewAsync(key, ticket, null!, CancellationToken.None);

    public Task RenewAsync(string key, AuthenticationTicket ticket, CancellationToken cancellationToken) => RenewAsync(key, ticket, null!, cancellationToken);

    /// <summary>The sliding renewal (or a changed principal after a re-check): written to Redis, kept here. Redis away: kept here only.</summary>
    public async Task RenewAsync(string key, AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        var created = CreatedOf(ticket);
        if (created is null)
        {
            return;
        }

        ticket.Properties.Items.Remove(SessionItems.Id);
        var held = _memory.Get<HeldSession>(key);
        var user = held?.User ?? SessionDirectory.UserOf(ticket.Principal);
        var now = _clock.GetUtcNow();
        try
        {
            var db = _redis.GetDatabase();
            var transaction = db.CreateTransaction();
            transaction.AddCondition(Condition.KeyExists(SessionKeys.Session(key)));
            _ = transaction.HashSetAsync(SessionKeys.Session(key),
                [new(SessionFields.Ticket, TicketSerializer.Default.Serialize(ticket)), new(SessionFields.LastSeen, now.ToUnixTimeMilliseconds())]);
            _ = transaction.KeyExpireAsync(SessionKeys.Session(key), EndOf(ticket, created.Value).UtcDateTime);
            if (!await transaction.ExecuteAsync().WaitAsync(_options.CurrentValue.RedisTimeout, _clock, cancellationToken))
            {
                // Ended meanwhile (revoked, expired): not brought back.
                Forget(key);
                return;
            }

            _signal.Contact();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _signal.Failed(e is TimeoutException ? "timed out" : e.GetType().Name);
        }

        Hold(new HeldSession(key, ticket, created.Value, user) { Checked = held?.Checked ?? 0 });
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => RetrieveAsync(key, null!, CancellationToken.None);

    public Task<AuthenticationTicket?> RetrieveAsync(string key, CancellationToken cancellationToken) => RetrieveAsync(key, null!, cancellationToken);

    public async Task<AuthenticationTicket?> RetrieveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (_memory.TryGetValue(key, out HeldSession? held) && held is not null && _signal.MemoryTrusted)
        {
            if (Ended(held.Created))
            {
                await RemoveAsync(key, httpContext, cancellationToken);
                return null;
            }

            if (held.SeenDue(_clock, SeenEvery))
            {
                Touch(_redis.GetDatabase(), key);
            }

            return held.Copy();
        }

        if (!_signal.Reachable)
        {
            SessionUnchecked.Mark(httpContext);
            return null;
        }

        RedisValue[] fields;
        try
        {
            var db = _redis.GetDatabase();
            var read = db.HashGetAsync(SessionKeys.Session(key), [SessionFields.Ticket, SessionFields.User, SessionFields.Created, SessionFields.Checked]);
            fields = await read.WaitAsync(_options.CurrentValue.RedisTimeout, _clock, cancellationToken);
            _signal.Contact();
            if (!fields[0].IsNull)
            {
                Touch(db, key);
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _signal.Failed(e is TimeoutException ? "timed out" : e.GetType().Name);
            SessionUnchecked.Mark(httpContext);
            return null;
        }

        if (fields[0].IsNull || TicketSerializer.Default.Deserialize((byte[])fields[0]!) is not { } ticket)
        {
            return null;
        }

        var created = DateTimeOffset.FromUnixTimeMilliseconds((long)fields[2]);
        if (Ended(created))
        {
            await RemoveAsync(key, httpContext, cancellationToken);
            return null;
        }

        held = new HeldSession(key, ticket, created, fields[1].ToString()) { Checked = fields[3].TryParse(out long checkedAt) ? checkedAt : 0 };
        Hold(held);
        return held.Copy();
    }

    public Task RemoveAsync(string key) => RemoveAsync(key, null!, CancellationToken.None);

    public Task RemoveAsync(string key, CancellationToken cancellationToken) => RemoveAsync(key, null!, cancellationToken);

    /// <summary>
    /// Sign-out (or an expired ticket): the session ends in Redis and on every replica. Redis unreachable: it ends here
    /// only (the cookie is cleared all the same); elsewhere it lasts until its lifetime or until the grace time runs out.
    /// </summary>
    public async Task RemoveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        Forget(key);
        try
        {
            await _directory.RevokeAsync(key, CancellationToken.None);
            _signal.Contact();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _signal.Failed(e is TimeoutException ? "timed out" : e.GetType().Name);
        }
    }

    /// <summary>The session was checked against Strapi just now: noted here, and in Redis without waiting.</summary>
    public void Checked(string key)
    {
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (_memory.TryGetValue(key, out HeldSession? held) && held is not null)
        {
            held.Checked = now;
        }

        _ = _redis.GetDatabase().ScriptEvaluateAsync(TouchScript, [SessionKeys.Session(key)], [SessionFields.Checked, now], CommandFlags.FireAndForget);
    }

    /// <summary>When the session held here was last checked against Strapi (Unix milliseconds); not held: never (0).</summary>
    /// <summary>
    /// Whether this replica holds session <paramref name="key"/> in memory and may use it now (<see cref="RetrieveAsync(string, HttpContext, CancellationToken)"/>
    /// would answer from memory): not ended anywhere that this replica heard of, not past its absolute end, Redis heard from.
    /// </summary>
    public bool Holds(string key)
        => _memory.TryGetValue(key, out HeldSession? held) && held is not null && _signal.MemoryTrusted && !Ended(held.Created);

    public long CheckedAt(string key) => _memory.TryGetValue(key, out HeldSession? held) && held is not null ? held.Checked : 0;

    public void Dispose()
    {
        _signal.Revoked -= Forget;
        _signal.Reset -= _memory.Clear;
        _memory.Dispose();
    }

    internal static DateTimeOffset? CreatedOf(AuthenticationTicket ticket)
        => ticket.Properties.Items.TryGetValue(SessionItems.Created, out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var created)
                ? created
                : null;

    private bool Ended(DateTimeOffset created) => _clock.GetUtcNow() >= created + Settings.AbsoluteLifetime;

    /// <summary>Redis keeps a session until it would end anyway: idle expiry or absolute end, whichever is first.</summary>
    private DateTimeOffset EndOf(AuthenticationTicket ticket, DateTimeOffset created)
    {
        var idle = ticket.Properties.ExpiresUtc ?? _clock.GetUtcNow() + Settings.Lifetime;
        var absolute = created + Settings.AbsoluteLifetime;
        return idle < absolute ? idle : absolute;
    }

    /// <summary>Records that the session was used, without waiting, and never bringing back one that ended meanwhile.</summary>
    private void Touch(IDatabase db, string key)
        => _ = db.ScriptEvaluateAsync(TouchScript, [SessionKeys.Session(key)], [SessionFields.LastSeen, _clock.GetUtcNow().ToUnixTimeMilliseconds()], CommandFlags.FireAndForget);

    private void Hold(HeldSession held)
    {
        var options = new MemoryCacheEntryOptions
        {
            SlidingExpiration = MemoryLifetime,
            AbsoluteExpiration = held.Created + Settings.AbsoluteLifetime,
        };
        if (held.Ticket.Principal.FindFirst(AccessClaims.Source)?.Value is { } source
            && held.Ticket.Principal.FindFirst(AccessClaims.Subject)?.Value is { } subject)
        {
            options.AddExpirationToken(_users.For(source + ":" + subject));
        }

        _memory.Set(held.Id, held, options);
    }

    private void Forget(string ids)
    {
        foreach (var id in ids.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            _memory.Remove(id);
        }
    }
}
