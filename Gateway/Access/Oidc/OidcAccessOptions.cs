namespace Gateway.Access;

/// <summary>
/// Sign-in with an OpenID Connect provider (browsers: code + PKCE, ending in the session cookie) and the provider's JWT
/// access tokens as bearer (machine callers). Section <c>Access:Oidc</c>; all off while <see cref="Authority"/> is empty.
/// </summary>
public sealed class OidcAccessOptions
{
    public const string SectionName = "Access:Oidc";

    /// <summary>The provider's issuer URL (its discovery document is <c>{Authority}/.well-known/openid-configuration</c>); empty: no OpenID Connect.</summary>
    public string? Authority { get; set; }

    /// <summary>The gateway's client id at the provider (a confidential client, redirect URI <c>{gateway}/signin-oidc</c>).</summary>
    public string? ClientId { get; set; }

    /// <summary>The client's secret: from a secret store or the environment, never from a committed file.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Scopes asked for at browser sign-in (<c>openid</c> is always asked); none: <c>openid profile email</c>.</summary>
    public IList<string> Scopes { get; } = [];

    /// <summary>The <c>aud</c> a bearer access token must carry: the resource the provider issues machine tokens for.</summary>
    public string? Audience { get; set; }

    /// <summary>The claim of the ID token and access tokens that lists the caller's roles (an array or one string).</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>Fetch the provider's metadata over HTTPS only. Tests on loopback turn it off; production never does.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Leeway for the clocks of the provider and the gateway when checking token lifetimes.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a call to the provider (discovery, keys, the token endpoint) may take.</summary>
    public TimeSpan BackchannelTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}
