using System.Security.Claims;

namespace Gateway.Access;

/// <summary>
/// The gateway's principal for a caller the OpenID Connect provider vouched for (<see cref="AccessPrincipal"/>): its
/// subject, name and email, one role claim per value of the configured role claim, source "oidc". Nothing else of the
/// provider's token is kept, so the session cookie stays small and the policies see the same claims from every source.
/// </summary>
internal static class OidcPrincipal
{
    /// <summary>Client-credentials tokens of some providers carry no <c>sub</c>; the client is the subject then.</summary>
    private static readonly string[] SubjectClaims = [AccessClaims.Subject, "client_id", "azp"];

    /// <summary>The principal, or null when the token names no subject at all.</summary>
    public static ClaimsPrincipal? From(ClaimsPrincipal token, string roleClaim, string scheme)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentException.ThrowIfNullOrEmpty(roleClaim);

        var subject = SubjectClaims.Select(type => token.FindFirst(type)?.Value).FirstOrDefault(value => !string.IsNullOrEmpty(value));
        if (subject is null)
        {
            return null;
        }

        var roles = token.FindAll(roleClaim).Select(claim => claim.Value).Where(role => !string.IsNullOrWhiteSpace(role)).Distinct(StringComparer.Ordinal);
        return AccessPrincipal.Create(scheme, AccessClaims.FromOidc, subject, token.FindFirst(AccessClaims.Name)?.Value, token.FindFirst(AccessClaims.Email)?.Value, roles);
    }
}
