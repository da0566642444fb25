using Microsoft.AspNetCore.Authentication;

namespace Gateway.Access;

/// <summary>
/// The OpenID Connect seam. The oidc engineer fills it in: scheme <see cref="AccessSchemes.Oidc"/> (code + PKCE, the
/// callback signing in <see cref="AccessSchemes.Session"/>) and <see cref="AccessSchemes.OidcBearer"/> (the provider's
/// JWTs), both from section <c>Access:Oidc</c>, roles from a configured claim.
/// </summary>
internal static class OidcAuthenticationExtensions
{
    public static AuthenticationBuilder AddGatewayOidc(this AuthenticationBuilder builder, IConfiguration configuration) => builder;
}
