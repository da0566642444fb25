using System.Security.Claims;
using Gateway.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Access;

/// <summary>
/// OpenID Connect, when <c>Access:Oidc:Authority</c> is set (nothing at all otherwise): browser sign-in with the code
/// flow and PKCE ending in the gateway's session cookie (<see cref="AccessSchemes.Oidc"/>), and the provider's JWT
/// access tokens for machine callers (<see cref="AccessSchemes.OidcBearer"/>). Both with ASP.NET Core's own handlers;
/// both give the same principal (<see cref="OidcPrincipal"/>): roles from the configured claim, source "oidc".
/// </summary>
internal static class OidcAuthenticationExtensions
{
    private const string NoSubject = "The token names no subject.";

    /// <summary>Asked at browser sign-in when <c>Access:Oidc:Scopes</c> names none.</summary>
    private static readonly string[] DefaultScopes = [OpenIdConnectScope.OpenId, OpenIdConnectScope.OpenIdProfile, OpenIdConnectScope.Email];

    public static AuthenticationBuilder AddGatewayOidc(this AuthenticationBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);

        if (configuration.GetSection(OidcAccessOptions.SectionName).Get<OidcAccessOptions>() is not { Enabled: true })
        {
            return builder;
        }

        builder.Services.AddOptions<OidcAccessOptions>().BindConfiguration(OidcAccessOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OidcAccessOptions>, OidcAccessOptionsValidator>());
        builder.Services.TryAddSingleton<OidcFailureLog>();

        // AddOpenIdConnect's own registrations, with the handler that answers a provider outage with a 502.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<OpenIdConnectOptions>, OpenIdConnectPostConfigureOptions>());
        builder.AddRemoteScheme<OpenIdConnectOptions, OidcSignInHandler>(AccessSchemes.Oidc, "OpenID Connect", configureOptions: null);
        builder.Services.AddOptions<OpenIdConnectOptions>(AccessSchemes.Oidc).Configure<IOptions<OidcAccessOptions>>((o, access) => ConfigureSignIn(o, access.Value));

        builder.AddJwtBearer(AccessSchemes.OidcBearer, _ => { });
        builder.Services.AddOptions<JwtBearerOptions>(AccessSchemes.OidcBearer).Configure<IOptions<OidcAccessOptions>>((o, access) => ConfigureBearer(o, access.Value));
        return builder;
    }

    private static void ConfigureSignIn(OpenIdConnectOptions options, OidcAccessOptions access)
    {
        options.Authority = access.Authority;
        options.ClientId = access.ClientId;
        options.ClientSecret = access.ClientSecret;
        options.RequireHttpsMetadata = access.RequireHttpsMetadata;
        options.BackchannelTimeout = access.BackchannelTimeout;
        options.DisableTelemetry = true;
        options.ResponseType = OpenIdConnectResponseType.Code;
        options.UsePkce = true;

        // The provider sends the browser back with a plain GET (the code in the query, useless without the PKCE
        // verifier and the client secret), so the correlation and nonce cookies can be SameSite=Lax like the session.
        options.ResponseMode = OpenIdConnectResponseMode.Query;
        foreach (var cookie in new[] { options.CorrelationCookie, options.NonceCookie })
        {
            cookie.SameSite = SameSiteMode.Lax;
            cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        }

        // No front-channel sign-out: the handler would end the session on a plain GET /signout-oidc (the principal keeps
        // no iss or sid to compare with), so a cross-site image could sign anyone out. Sign-out is the gateway's own
        // same-origin POST /auth/logout.
        options.RemoteSignOutPath = PathString.Empty;
        options.SignInScheme = AccessSchemes.Session;
        options.SaveTokens = false;
        options.MapInboundClaims = false;
        options.GetClaimsFromUserInfoEndpoint = false;
        options.Scope.Clear();
        foreach (var scope in (access.Scopes.Count > 0 ? access.Scopes : DefaultScopes).Prepend(OpenIdConnectScope.OpenId).Distinct(StringComparer.Ordinal))
        {
            options.Scope.Add(scope);
        }

        Configure(options.TokenValidationParameters, access);
        options.Events.OnTokenValidated = context =>
        {
            context.Principal = Accept(context.HttpContext, context.Principal!, access, AccessSchemes.Oidc);
            if (context.Principal is null)
            {
                context.Fail(NoSubject);
            }

            return Task.CompletedTask;
        };
        options.Events.OnRemoteFailure = async context =>
        {
            // A denied consent, a replayed or forged callback, an invalid ID token: a 401 problem, no hint which.
            var reason = OidcFailureLog.Reason(context.Failure);
            Failures(context.HttpContext).SignInFailed(reason);
            context.HttpContext.RequestServices.GetRequiredService<AccessMetrics>().SignInFailed(AccessClaims.FromOidc);
            context.HandleResponse();
            await (reason == OidcFailureLog.ProviderUnreachable
                ? GatewayProblems.WriteAsync(context.HttpContext, StatusCodes.Status502BadGateway, "The sign-in provider is unreachable.")
                : GatewayProblems.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Sign-in failed."));
        };
    }

    private static void ConfigureBearer(JwtBearerOptions options, OidcAccessOptions access)
    {
        options.Authority = access.Authority;
        options.Audience = access.Audience;
        options.RequireHttpsMetadata = access.RequireHttpsMetadata;
        options.BackchannelTimeout = access.BackchannelTimeout;
        options.MapInboundClaims = false;
        Configure(options.TokenValidationParameters, access);
        options.Events ??= new JwtBearerEvents();
        options.Events.OnTokenValidated = context =>
        {
            context.Principal = Accept(context.HttpContext, context.Principal!, access, AccessSchemes.OidcBearer);
            if (context.Principal is null)
            {
                context.Fail(NoSubject);
            }

            return Task.CompletedTask;
        };
        options.Events.OnAuthenticationFailed = context =>
        {
            Failures(context.HttpContext).BearerRefused(context.Exception);
            return Task.CompletedTask;
        };
    }

    /// <summary>The provider's token, checked by the handler, as the gateway's principal; null when it names no subject.</summary>
    private static ClaimsPrincipal? Accept(HttpContext context, ClaimsPrincipal token, OidcAccessOptions access, string scheme)
    {
        Failures(context).ProviderAnswered();
        return OidcPrincipal.From(token, access.RoleClaim, scheme);
    }

    private static void Configure(TokenValidationParameters parameters, OidcAccessOptions access)
    {
        parameters.NameClaimType = AccessClaims.Name;
        parameters.RoleClaimType = AccessClaims.Role;
        parameters.ClockSkew = access.ClockSkew;
    }

    private static OidcFailureLog Failures(HttpContext context) => context.RequestServices.GetRequiredService<OidcFailureLog>();
}
