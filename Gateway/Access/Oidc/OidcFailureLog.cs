using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Access;

/// <summary>
/// Why an OpenID Connect bearer token or browser sign-in was refused, logged without the token: the first time a reason
/// is seen at Information, every later time at Debug, so a client retrying an expired token cannot fill the log. The
/// provider becoming unreachable is logged once at Warning, and its return once.
/// </summary>
internal sealed partial class OidcFailureLog(ILogger<OidcFailureLog> logger)
{
    public const string ProviderUnreachable = "provider unreachable";

    private readonly ConcurrentDictionary<string, bool> _seen = new(StringComparer.Ordinal);
    private int _unreachable;

    /// <summary>A short, fixed reason for a failure (never its message, which can quote the token's claims).</summary>
    public static string Reason(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException => "expired",
        SecurityTokenNotYetValidException => "not yet valid",
        SecurityTokenInvalidAudienceException => "wrong audience",
        SecurityTokenInvalidIssuerException => "wrong issuer",
        SecurityTokenSignatureKeyNotFoundException => "unknown signing key",
        SecurityTokenInvalidSignatureException => "bad signature",
        SecurityTokenMalformedException => "malformed",
        SecurityTokenException => "invalid token",
        OpenIdConnectProtocolException => "refused by the provider",
        AuthenticationFailureException => "correlation or state check failed",
        HttpRequestException or TaskCanceledException or InvalidOperationException => ProviderUnreachable,
        null => "unknown",
        _ => failure.GetType().Name,
    };

    public void BearerRefused(Exception? failure) => Refused("bearer token", Reason(failure));

    public void SignInFailed(string reason) => Refused("browser sign-in", reason);

    /// <summary>A token or sign-in that needed the provider's metadata went through: the end of an outage, if there was one.</summary>
    public void ProviderAnswered()
    {
        if (Volatile.Read(ref _unreachable) == 1 && Interlocked.Exchange(ref _unreachable, 0) == 1)
        {
            ProviderBack(logger);
        }
    }

    private void Refused(string what, string reason)
    {
        if (reason == ProviderUnreachable)
        {
            if (Interlocked.Exchange(ref _unreachable, 1) == 0)
            {
                ProviderGone(logger, what);
            }
        }
        else if (_seen.TryAdd(what + ":" + reason, true))
        {
            RefusedFirst(logger, what, reason);
        }
        else
        {
            RefusedAgain(logger, what, reason);
        }
    }

    [LoggerMessage(EventId = 13101, Level = LogLevel.Information, Message = "OpenID Connect {What} refused: {Reason} (the first time; later ones at Debug)")]
    private static partial void RefusedFirst(ILogger logger, string what, string reason);

    [LoggerMessage(EventId = 13102, Level = LogLevel.Debug, Message = "OpenID Connect {What} refused: {Reason}")]
    private static partial void RefusedAgain(ILogger logger, string what, string reason);

    [LoggerMessage(EventId = 13103, Level = LogLevel.Warning, Message = "OpenID Connect provider unreachable ({What}); bearer tokens get 401 and sign-ins 502 until it answers")]
    private static partial void ProviderGone(ILogger logger, string what);

    [LoggerMessage(EventId = 13104, Level = LogLevel.Information, Message = "OpenID Connect provider answers again")]
    private static partial void ProviderBack(ILogger logger);
}
