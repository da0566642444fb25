using System.Security.Claims;

namespace Gateway.Access;

/// <summary>The one shape of a signed-in caller, whatever scheme vouched for it.</summary>
internal static class AccessPrincipal
{
    public static ClaimsPrincipal Create(string scheme, string source, string subject, string? name, string? email, IEnumerable<string> roles)
    {
        var claims = new List<Claim>
        {
            new(AccessClaims.Subject, subject),
            new(AccessClaims.Source, source),
        };
        if (!string.IsNullOrEmpty(name))
        {
            claims.Add(new Claim(AccessClaims.Name, name));
        }

        if (!string.IsNullOrEmpty(email))
        {
            claims.Add(new Claim(AccessClaims.Email, email));
        }

        claims.AddRange(roles.Select(role => new Claim(AccessClaims.Role, role)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, AccessClaims.Name, AccessClaims.Role));
    }

    public static ClaimsPrincipal FromStrapi(string scheme, StrapiUser user)
        => Create(scheme, AccessClaims.FromStrapi, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            user.Username, user.Email, user.Role?.Type is { Length: > 0 } role ? [role] : []);
}
