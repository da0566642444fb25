namespace Gateway.Access;

/// <summary>Who may call what, and how callers sign in. Section <c>Access</c>.</summary>
public sealed class AccessOptions
{
    public const string SectionName = "Access";

    /// <summary>Which roles satisfy each policy (<c>Access:Policies:editor:Roles</c>); a policy not named keeps its default.</summary>
    public IDictionary<string, AccessPolicyOptions> Policies { get; } = new Dictionary<string, AccessPolicyOptions>(StringComparer.OrdinalIgnoreCase);

    public SessionOptions Session { get; set; } = new();

    public StrapiJwtOptions StrapiJwt { get; set; } = new();

    public CorsSettings Cors { get; set; } = new();

    public RateLimitOptions RateLimits { get; set; } = new();

    /// <summary>The OpenID Connect provider; only its authority is read here (to route bearer tokens), the rest by the OIDC wiring.</summary>
    public OidcSettings Oidc { get; set; } = new();

    /// <summary>The name the sign-in and sign-out pages show in their titles.</summary>
    public string SiteName { get; set; } = "Dashboard";

    /// <summary>How long a session read or write, or a shared security counter, waits for Redis before this replica counts it as unreachable.</summary>
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// This often each replica checks that Redis still holds the data-protection key ring it holds, and writes back what
    /// Redis lost (also at once when the Redis connection comes back, or another replica asks).
    /// </summary>
    public TimeSpan KeyRingCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a replica finding no key in Redis waits for another replica's write-back before making a new key ring.</summary>
    public TimeSpan KeyRingWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a sign-in waits for each of Strapi's answers (the credentials check, the role).</summary>
    public TimeSpan StrapiTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The roles that satisfy <paramref name="policy"/>: configured, or the default (reads: every role, writes: editor and admin).</summary>
    public IReadOnlyList<string> RolesFor(string policy)
        => Policies.TryGetValue(policy, out var configured) && configured.Roles.Count > 0
            ? [.. configured.Roles]
            : policy switch
            {
                AccessPolicies.Reader => [AccessPolicies.Reader, AccessPolicies.Editor, AccessPolicies.Admin],
                AccessPolicies.Editor => [AccessPolicies.Editor, AccessPolicies.Admin],
                _ => [AccessPolicies.Admin],
            };
}

public sealed class AccessPolicyOptions
{
    public IList<string> Roles { get; } = [];
}

/// <summary>The session cookie. Section <c>Access:Session</c>.</summary>
public sealed class SessionOptions
{
    public string CookieName { get; set; } = "gateway.session";

    /// <summary>Sliding: a session unused this long ends; each use renews it.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>A session ends this long after sign-in, however much it is used.</summary>
    public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Redis unreachable: sessions this replica holds in memory keep working this long after Redis last answered; nothing else does.</summary>
    public TimeSpan OfflineGrace { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A Strapi user's session (and bearer role) is checked against Strapi at least this often, should a lifecycle message be lost.</summary>
    public TimeSpan RecheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A session cookie's authentication is reused this long for the same <c>Cookie</c> header on this replica (the session
    /// still held, not ended anywhere this replica heard of); zero: every request is authenticated in full.
    /// </summary>
    public TimeSpan ReuseFor { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>JWTs issued by Strapi's users-permissions plugin, accepted as bearer tokens. Section <c>Access:StrapiJwt</c>.</summary>
public sealed class StrapiJwtOptions
{
    /// <summary>Strapi's <c>JWT_SECRET</c> (HS256). Empty: Strapi JWTs are not accepted. A secret: never logged.</summary>
    public string? Secret { get; set; }

    /// <summary>How long a user's role, read from Strapi, is reused for that user's bearer requests.</summary>
    public TimeSpan RoleCacheTime { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Cross-origin callers. Section <c>Access:Cors</c>.</summary>
public sealed class CorsSettings
{
    /// <summary>Origins (<c>https://dashboard.example.com</c>) allowed to call from a browser; none: same origin only.</summary>
    public IList<string> AllowedOrigins { get; } = [];
}

/// <summary>Rate limits per client address. Section <c>Access:RateLimits</c>.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Sign-in attempts per client per <see cref="Window"/>.</summary>
    public int SignInPerClient { get; set; } = 10;

    /// <summary>
    /// Failed sign-ins for one account from one client per <see cref="FailureWindow"/>; that client's next try for that
    /// account is refused (429) until the window ends. Other clients are not refused by it.
    /// </summary>
    public int FailuresPerIdentifier { get; set; } = 5;

    /// <summary>
    /// Failed sign-ins for one account from all clients per <see cref="FailureWindow"/>; beyond, the account is slowed
    /// down, not locked: one try per <see cref="AccountSlowdown"/> from anywhere.
    /// </summary>
    public int FailuresPerAccount { get; set; } = 20;

    public TimeSpan AccountSlowdown { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Every failed sign-in (401) answers no sooner than this after it arrived, whether the account exists or not.</summary>
    public TimeSpan FailureAnswerTime { get; set; } = TimeSpan.FromMilliseconds(400);

    /// <summary>Redirect admin API calls (and admin-key guesses) per client per <see cref="Window"/>.</summary>
    public int AdminPerClient { get; set; } = 60;

    /// <summary>Reads of Strapi (cache misses) running at a time per caller (signed-in user, else address); as many more wait.</summary>
    public int StrapiReadsPerClient { get; set; } = 16;

    /// <summary>CSV exports running at a time per client.</summary>
    public int CsvExportsPerClient { get; set; } = 2;

    /// <summary>CSV exports running at a time over all clients.</summary>
    public int CsvExportsTotal { get; set; } = 8;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Section <c>Access:Oidc</c> (what this part of the gateway reads of it).</summary>
public sealed class OidcSettings
{
    /// <summary>The provider's issuer URL; unset: OpenID Connect is off.</summary>
    public string? Authority { get; set; }

    /// <summary>The provider's name on the sign-in page's button ("Sign in with …").</summary>
    public string DisplayName { get; set; } = "single sign-on";
}
