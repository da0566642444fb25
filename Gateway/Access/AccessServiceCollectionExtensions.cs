using Gateway.Redirects;
using Gateway.Strapi;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Access;

internal static class AccessServiceCollectionExtensions
{
    /// <summary>Where every replica keeps (and finds) the data-protection keys that seal the session cookie.</summary>
    public const string DataProtectionKey = "gateway:dataprotection:keys";

    /// <summary>The data-protection application name: the same for every replica, so each reads every other's cookies.</summary>
    public const string ApplicationName = "edge-gateway";

    /// <summary>Authentication (session cookie, Strapi JWT, admin key, OpenID Connect), the policies, CORS and rate limits.</summary>
    public static WebApplicationBuilder AddAccess(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var services = builder.Services;
        services.AddOptions<AccessOptions>()
            .BindConfiguration(AccessOptions.SectionName)
            .Validate(o => string.IsNullOrEmpty(o.StrapiJwt.Secret) || o.StrapiJwt.Secret.Length >= 32,
                "Access:StrapiJwt:Secret (Strapi's JWT_SECRET) must be at least 32 characters, or empty to refuse Strapi JWTs.")
            .Validate(o => o.Session.Lifetime > TimeSpan.Zero && !string.IsNullOrWhiteSpace(o.Session.CookieName),
                "Access:Session needs a CookieName and a positive Lifetime.")
            .Validate(o => o.Session is { AbsoluteLifetime.Ticks: > 0, OfflineGrace.Ticks: >= 0, RecheckInterval.Ticks: > 0, ReuseFor.Ticks: >= 0 }
                    && o.Session.AbsoluteLifetime >= o.Session.Lifetime && o.RedisTimeout > TimeSpan.Zero,
                "Access:Session: AbsoluteLifetime (at least Lifetime) and RecheckInterval must be positive, OfflineGrace not negative; Access:RedisTimeout positive.")
            .Validate(o => o.RateLimits is { SignInPerClient: > 0, FailuresPerIdentifier: > 0, FailuresPerAccount: > 0, AdminPerClient: > 0, CsvExportsPerClient: > 0, CsvExportsTotal: > 0, StrapiReadsPerClient: > 0 }
                    && o.RateLimits.Window > TimeSpan.Zero && o.RateLimits.FailureWindow > TimeSpan.Zero && o.RateLimits.AccountSlowdown > TimeSpan.Zero
                    && o.RateLimits.FailureAnswerTime >= TimeSpan.Zero,
                "Access:RateLimits: every limit and window must be positive.")
            .Validate(o => o.KeyRingCheckInterval > TimeSpan.Zero && o.KeyRingWait >= TimeSpan.Zero,
                "Access:KeyRingCheckInterval must be positive and Access:KeyRingWait not negative.")
            .Validate(o => o.Cors.AllowedOrigins.All(origin => Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.AbsolutePath == "/"),
                "Access:Cors:AllowedOrigins holds origins such as https://dashboard.example.com.")
            .ValidateOnStart();
        services.AddOptions<RedirectOptions>()
            .Validate(o => string.IsNullOrEmpty(o.AdminKey) || o.AdminKey.Length >= AdminKeyAuthenticationHandler.MinimumLength,
                $"Redirects:AdminKey must be at least {AdminKeyAuthenticationHandler.MinimumLength} characters (or empty: no admin key).");

        services.AddMemoryCache();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AccessMetrics>();
        services.AddSingleton<LocalCounters>();
        services.AddSingleton<SharedCounters>();
        services.AddSingleton<AccountResolver>();
        services.AddSingleton<StrapiUserCache>();
        services.AddHttpClient<StrapiUsersClient>((sp, http) =>
        {
            http.BaseAddress = sp.GetRequiredService<IOptions<StrapiOptions>>().Value.BaseUrl;
            http.Timeout = sp.GetRequiredService<IOptions<AccessOptions>>().Value.StrapiTimeout;
        });

        // The key ring in Redis, remembered by each replica and written back when Redis loses it.
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddSingleton<KeyRingRepository>();
        services.AddOptions<KeyManagementOptions>().Configure<KeyRingRepository>((keys, ring) => keys.XmlRepository = ring);
        services.AddHostedService<KeyRingWriteBack>();

        services.AddSingleton<UserChangeTokens>();
        services.AddSingleton<SessionSignal>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionSignal>());
        services.AddSingleton<SessionDirectory>();
        services.AddSingleton<RedisTicketStore>();
        services.AddSingleton<SessionRecheck>();
        services.AddSingleton<SessionCookieSetup>();
        services.AddSingleton<IConfigureOptions<CookieAuthenticationOptions>>(sp => sp.GetRequiredService<SessionCookieSetup>());
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, StrapiBearerSetup>();
        services.AddAuthentication(AccessSchemes.Default)
            .AddPolicyScheme(AccessSchemes.Default, displayName: null, scheme => scheme.ForwardDefaultSelector = SchemeSelector.Select)
            .AddCookie(AccessSchemes.Session)
            .AddJwtBearer(AccessSchemes.StrapiBearer)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, AdminKeyAuthenticationHandler>(AccessSchemes.AdminKey, null)
            .AddGatewayOidc(builder.Configuration);

        services.AddSingleton<RecentSessionCookies>();
        services.Replace(ServiceDescriptor.Scoped<IAuthenticationService, GatewayAuthenticationService>());

        // After AddCookie's own post-configuration, which makes the ticket format this wraps.
        services.AddSingleton<IPostConfigureOptions<CookieAuthenticationOptions>>(sp => sp.GetRequiredService<SessionCookieSetup>());

        services.AddAuthorization();
        services.AddOptions<AuthorizationOptions>().Configure<IOptions<AccessOptions>>((authorization, access) =>
        {
            foreach (var name in new[] { AccessPolicies.Reader, AccessPolicies.Editor, AccessPolicies.Admin })
            {
                authorization.AddPolicy(name, policy => policy.RequireAuthenticatedUser().RequireClaim(AccessClaims.Role, access.Value.RolesFor(name)));
            }

            // A route or endpoint that names no policy is closed, not open: it needs a gateway role (reader's), not merely any signed-in user.
            authorization.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser()
                .RequireClaim(AccessClaims.Role, access.Value.RolesFor(AccessPolicies.Reader)).Build();
        });
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();

        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<AccessOptions>>((cors, access) => cors.AddPolicy(AccessPolicies.Cors, policy =>
        {
            // No origin configured: no CORS header is ever sent, so browsers allow the same origin only. Never credentials.
            policy.WithOrigins([.. access.Value.Cors.AllowedOrigins]).AllowAnyHeader().AllowAnyMethod();
        }));

        services.AddRateLimiter(_ => { });
        services.AddExceptionHandler<SessionStoreUnavailableHandler>();
        services.AddSingleton<IConfigureOptions<RateLimiterOptions>, RateLimitSetup>();
        return builder;
    }

    /// <summary>
    /// After the redirect table and the client address: routing, CORS, the cross-site guard, rate limits and the shared
    /// admin limit (before authentication, so admin-key guesses are counted before the key is trusted), authentication
    /// (where the caller matters: <see cref="CallerIdentity"/>), authorization.
    /// </summary>
    private const string AuthenticationMiddlewareSetKey = "__AuthenticationMiddlewareSet";

    public static WebApplication UseAccess(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.UseRouting();
        app.UseCors();
        app.UseMiddleware<CrossSiteGuard>();
        app.UseRateLimiter();
        app.UseMiddleware<AdminCallLimit>();
        app.UseWhen(CallerIdentity.Needed, authenticated => authenticated.UseAuthentication()); // not on open endpoints that need no caller

        // WebApplication puts UseAuthentication at the very front of the pipeline unless the app called it, which it sees by
        // this key (set by UseAuthentication on the builder it is called on; a branch's own is not seen). The branch above is
        // the app's authentication: without the key every request would be authenticated once more, first (CallerIdentityTests).
        ((IApplicationBuilder)app).Properties[AuthenticationMiddlewareSetKey] = true;
        app.UseAuthorization();
        return app;
    }
}
