namespace Gateway.Access;

/// <summary>The claims every gateway principal carries, whatever signed it in.</summary>
internal static class AccessClaims
{
    /// <summary>One claim per role (<c>reader</c>, <c>editor</c>, <c>admin</c>); the policies check these.</summary>
    public const string Role = "role";

    /// <summary>Who vouched for the caller: <see cref="FromStrapi"/>, <see cref="FromOidc"/> or <see cref="FromAdminKey"/>.</summary>
    public const string Source = "source";

    public const string Name = "name";

    public const string Email = "email";

    /// <summary>The user's id at its source (Strapi's numeric user id, the provider's <c>sub</c>).</summary>
    public const string Subject = "sub";

    public const string FromStrapi = "strapi";

    public const string FromOidc = "oidc";

    public const string FromAdminKey = "admin-key";
}
