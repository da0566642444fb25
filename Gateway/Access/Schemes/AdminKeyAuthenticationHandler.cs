using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Gateway.Redirects;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Gateway.Access;

/// <summary>
/// <c>X-Admin-Key</c>: the configured <see cref="RedirectOptions.AdminKey"/> (compared in constant time) signs the
/// caller in with the role <c>admin</c>, source <c>admin-key</c>. A wrong key is logged with the client's address,
/// never the key; the <c>admin</c> rate limit, which runs before authentication, counts the guesses.
/// </summary>
internal sealed partial class AdminKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptionsMonitor<RedirectOptions> redirects)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Header = "X-Admin-Key";

    /// <summary>The shortest key accepted at start-up.</summary>
    public const int MinimumLength = 32;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var given))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var configured = redirects.CurrentValue.AdminKey;
        if (string.IsNullOrEmpty(configured) || !Matches(given.ToString(), configured))
        {
            LogWrongKey(Logger, Context.Connection.RemoteIpAddress);
            return Task.FromResult(AuthenticateResult.Fail("Wrong admin key"));
        }

        var principal = AccessPrincipal.Create(Scheme.Name, AccessClaims.FromAdminKey, AccessClaims.FromAdminKey,
            AccessClaims.FromAdminKey, email: null, [AccessPolicies.Admin]);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
    }

    /// <summary>Compares hashes, so neither the content nor the length of the key shows in the time taken.</summary>
    internal static bool Matches(string given, string configured)
        => CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(configured)));

    [LoggerMessage(EventId = 9111, Level = LogLevel.Warning, Message = "Wrong or unset admin key from {Client}")]
    private static partial void LogWrongKey(ILogger logger, System.Net.IPAddress? client);
}
