using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;

namespace Gateway.Access;

/// <summary>
/// The session cookie's ticket format, with the opened tickets of recent cookies kept in memory for a minute (never
/// past the ticket's own expiry). Opening a cookie (data protection: a key derivation, AES and an HMAC per call) cost
/// more than the rest of a proxied request (bench/auth); a cookie value opened once is the same ticket every time, and
/// a changed or forged value is simply not in the cache. Each caller gets its own copy of the ticket.
/// </summary>
internal sealed class CachedTicketFormat(ISecureDataFormat<AuthenticationTicket> inner, IMemoryCache cache, TimeProvider clock)
    : ISecureDataFormat<AuthenticationTicket>
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    public string Protect(AuthenticationTicket data) => inner.Protect(data);

    public string Protect(AuthenticationTicket data, string? purpose) => inner.Protect(data, purpose);

    public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, purpose: null);

    public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
    {
        if (string.IsNullOrEmpty(protectedText))
        {
            return null;
        }

        var key = (typeof(CachedTicketFormat), protectedText, purpose);
        if (!cache.TryGetValue(key, out AuthenticationTicket? ticket))
        {
            ticket = inner.Unprotect(protectedText, purpose);
            if (ticket is null)
            {
                return null;
            }

            var now = clock.GetUtcNow();
            var until = ticket.Properties.ExpiresUtc is { } expires && expires < now + Lifetime ? expires : now + Lifetime;
            if (until > now)
            {
                cache.Set(key, ticket, until);
            }
        }

        return ticket is null ? null : new AuthenticationTicket(ticket.Principal.Clone(), ticket.Properties.Clone(), ticket.AuthenticationScheme);
    }
}
