using Gateway.Redirects;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Gateway.Access;

/// <summary>
/// Which scheme authenticates a request (<see cref="AccessSchemes.Default"/>'s selector): a bearer token goes to the
/// OpenID Connect bearer scheme when its (unvalidated) issuer is the configured authority, else to the Strapi one;
/// an <c>X-Admin-Key</c> header to the admin key; anything else to the session cookie.
/// </summary>
internal static class SchemeSelector
{
    private const string BearerPrefix = "Bearer ";

    public static string Select(HttpContext context)
    {
        var headers = context.Request.Headers;
        var authorization = headers.Authorization.ToString();
        if (authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var authority = context.RequestServices.GetRequiredService<IOptionsMonitor<AccessOptions>>().CurrentValue.Oidc.Authority;
            return !string.IsNullOrEmpty(authority) && IssuedBy(authorization[BearerPrefix.Length..].Trim(), authority)
                ? AccessSchemes.OidcBearer
                : AccessSchemes.StrapiBearer;
        }

        return headers.ContainsKey(AdminKeyAuthenticationHandler.Header) ? AccessSchemes.AdminKey : AccessSchemes.Session;
    }

    private static bool IssuedBy(string token, string authority)
    {
        try
        {
            var issuer = new JsonWebToken(token).Issuer;
            return string.Equals(issuer.TrimEnd('/'), authority.TrimEnd('/'), StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            // Not a JWT at all: the Strapi scheme refuses it.
            return false;
        }
    }
}
