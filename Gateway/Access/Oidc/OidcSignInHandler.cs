using System.Text.Encodings.Web;
using Gateway.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace Gateway.Access;

/// <summary>
/// ASP.NET Core's OpenID Connect handler, with one change: a challenge while the provider's metadata cannot be fetched
/// (provider down or slow) answers a 502 problem instead of an unhandled exception (a 500 and a stack trace per
/// attempt). Everything else is the stock handler.
/// </summary>
internal sealed class OidcSignInHandler(
    IOptionsMonitor<OpenIdConnectOptions> options,
    ILoggerFactory logger,
    HtmlEncoder htmlEncoder,
    UrlEncoder encoder,
    OidcFailureLog failures)
    : OpenIdConnectHandler(options, logger, htmlEncoder, encoder)
{
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        try
        {
            await base.HandleChallengeAsync(properties);
        }
        catch (Exception e) when (OidcFailureLog.Reason(e) == OidcFailureLog.ProviderUnreachable && !Response.HasStarted)
        {
            failures.SignInFailed(OidcFailureLog.ProviderUnreachable);
            await GatewayProblems.WriteAsync(Context, StatusCodes.Status502BadGateway, "The sign-in provider is unreachable.");
        }
    }
}
