namespace Gateway.Access;

/// <summary>The gateway's authentication schemes. <see cref="Default"/> picks one of the others per request.</summary>
internal static class AccessSchemes
{
    /// <summary>A policy scheme: a bearer token, an <c>X-Admin-Key</c> header, or else the session cookie.</summary>
    public const string Default = "gateway";

    /// <summary>The gateway's own session cookie, set by <c>POST /auth/login</c> (or the OpenID Connect callback).</summary>
    public const string Session = "session";

    /// <summary>A JWT that Strapi's users-permissions plugin issued, as <c>Authorization: Bearer</c>.</summary>
    public const string StrapiBearer = "strapi-jwt";

    /// <summary>A JWT of the configured OpenID Connect provider, as <c>Authorization: Bearer</c>.</summary>
    public const string OidcBearer = "oidc-jwt";

    /// <summary>OpenID Connect sign-in for browsers (code + PKCE), ending in the session cookie.</summary>
    public const string Oidc = "oidc";

    /// <summary>The redirect admin key, <c>X-Admin-Key</c>.</summary>
    public const string AdminKey = "admin-key";
}
