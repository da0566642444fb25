using System.Globalization;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Access;

/// <summary>
/// JWTs that Strapi's users-permissions plugin issues: HS256 with <see cref="StrapiJwtOptions.Secret"/>, no issuer or
/// audience (Strapi sets none), lifetime checked. The token carries only the user id; the user and its role come from
/// Strapi through <see cref="StrapiUserCache"/>. A user without a role keeps no role claim (403 on the routes).
/// A token once validated is taken as it is for <see cref="StrapiJwtOptions.RoleCacheTime"/> (never past its expiry):
/// validating it cost more than the rest of a proxied request (bench/auth), and a forged token is never in the cache.
/// A change of the user reported by Strapi's lifecycle hook drops it at once (<see cref="UserChangeTokens"/>).
/// </summary>
internal sealed partial class StrapiBearerSetup(IOptions<AccessOptions> access) : IConfigureNamedOptions<JwtBearerOptions>
{
    private const string UserIdClaim = "id";
    private const string BearerPrefix = "Bearer ";

    public void Configure(string? name, JwtBearerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (name != AccessSchemes.StrapiBearer)
        {
            return;
        }

        var secret = access.Value.StrapiJwt.Secret;
        options.MapInboundClaims = false;
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            RequireExpirationTime = true,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidateIssuerSigningKey = true,

            // Without a secret no key is given, so every Strapi token is refused.
            IssuerSigningKeys = string.IsNullOrEmpty(secret) ? [] : [new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret))],
            NameClaimType = AccessClaims.Name,
            RoleClaimType = AccessClaims.Role,
        };
        options.Events = new JwtBearerEvents { OnMessageReceived = FromCache, OnTokenValidated = OnTokenValidatedAsync };
    }

    public void Configure(JwtBearerOptions options) => Configure(Options.DefaultName, options);

    private static Task FromCache(MessageReceivedContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var cache = context.HttpContext.RequestServices.GetRequiredService<IMemoryCache>();
        if (header.Length > BearerPrefix.Length && cache.TryGetValue(CacheKey(header[BearerPrefix.Length..].Trim()), out ClaimsPrincipal? principal) && principal is not null)
        {
            context.Principal = principal.Clone();
            context.Success();
        }

        return Task.CompletedTask;
    }

    private static (Type, string) CacheKey(string token) => (typeof(StrapiBearerSetup), token);

    private static async Task OnTokenValidatedAsync(TokenValidatedContext context)
    {
        if (!int.TryParse(context.Principal?.FindFirst(UserIdClaim)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            context.Fail("The token names no user.");
            return;
        }

        // Taken before the user is read: a change reported meanwhile drops the principal cached below.
        var changed = context.HttpContext.RequestServices.GetRequiredService<UserChangeTokens>().For(UserChangeTokens.StrapiUser(id));
        StrapiUser? user;
        try
        {
            user = await context.HttpContext.RequestServices.GetRequiredService<StrapiUserCache>().GetAsync(id, context.HttpContext.RequestAborted);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            LogLookupFailed(context.HttpContext.RequestServices.GetRequiredService<ILogger<StrapiBearerSetup>>(), id, e.GetType().Name);
            context.Fail("The user could not be looked up.");
            return;
        }

        if (user is null || user.Blocked)
        {
            context.Fail("No such user, or blocked.");
            return;
        }

        context.Principal = AccessPrincipal.FromStrapi(AccessSchemes.StrapiBearer, user);
        if (context.SecurityToken is not JsonWebToken token)
        {
            return;
        }

        var services = context.HttpContext.RequestServices;
        var until = services.GetRequiredService<TimeProvider>().GetUtcNow() + services.GetRequiredService<IOptionsMonitor<AccessOptions>>().CurrentValue.StrapiJwt.RoleCacheTime;
        if (token.ValidTo < until.UtcDateTime)
        {
            until = new DateTimeOffset(token.ValidTo, TimeSpan.Zero);
        }

        services.GetRequiredService<IMemoryCache>().Set(CacheKey(token.EncodedToken), context.Principal.Clone(),
            new MemoryCacheEntryOptions { AbsoluteExpiration = until }.AddExpirationToken(changed));
    }

    [LoggerMessage(EventId = 9121, Level = LogLevel.Warning, Message = "Could not read Strapi user {UserId} for a bearer token ({Error}); the request is refused")]
    private static partial void LogLookupFailed(ILogger logger, int userId, string error);
}
