using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Gateway.Access;

/// <summary>
/// ASP.NET Core's authentication service, with a signed-in browser's recent outcome reused (<see cref="RecentSessionCookies"/>)
/// when the gateway's default scheme is asked for: the policy scheme, the handler it forwards to and the claims
/// transformation run as before for everything else, and in full at least once per <see cref="SessionOptions.ReuseFor"/> per cookie.
/// </summary>
internal sealed class GatewayAuthenticationService(
    IAuthenticationSchemeProvider schemes,
    IAuthenticationHandlerProvider handlers,
    IClaimsTransformation transform,
    IOptions<AuthenticationOptions> options,
    RecentSessionCookies recent) : AuthenticationService(schemes, handlers, transform, options)
{
    public override async Task<AuthenticateResult> AuthenticateAsync(HttpContext context, string? scheme)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (scheme != AccessSchemes.Default || RecentSessionCookies.KeyOf(context.Request) is not { } key)
        {
            return await base.AuthenticateAsync(context, scheme);
        }

        if (recent.TryGet(key, out var held))
        {
            var principal = await Transform.TransformAsync(held.Principal!);
            return ReferenceEquals(principal, held.Principal)
                ? held
                : AuthenticateResult.Success(new AuthenticationTicket(principal, held.Properties!, held.Ticket!.AuthenticationScheme));
        }

        var result = await base.AuthenticateAsync(context, scheme);
        recent.Remember(key, result);
        return result;
    }
}
