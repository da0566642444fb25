using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Gateway.Access;

/// <summary>
/// The outcome of authenticating a session cookie, kept for <see cref="SessionOptions.ReuseFor"/> (1 s): a signed-in caller's next requests
/// within it are authenticated from here, without making the policy and cookie handlers, parsing cookies, opening the
/// ticket and copying the session (bench/PROFILE.md: the largest share of a signed-in cache hit). Keyed by the request's
/// whole <c>Cookie</c> header, on requests with no other credential (no <c>Authorization</c>, no <c>X-Admin-Key</c>), so
/// anything that would make the handlers decide differently is a different key. Only successes are kept, and each use
/// asks the ticket store whether it still holds the session (<see cref="RedisTicketStore.Holds"/>): a sign-out, a session
/// ended on another replica, an absolute end, a Redis outage past the grace time or a missed message end it at once, as
/// they do for the handler. A changed user (role, name, email) empties it: the next request re-checks the session. What
/// the handler does only now and then (the sliding renewal's new cookie, the re-check against Strapi, the "last seen"
/// note) happens on the request that is authenticated in full, at least once per <see cref="SessionOptions.ReuseFor"/> per cookie in use.
/// Every caller gets its own copy of the principal and properties.
/// </summary>
internal sealed class RecentSessionCookies : IDisposable
{
    /// <summary>At most this many cookies are kept (each a signed-in caller seen within the reuse time); past it, emptied.</summary>
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Outcome> _outcomes = new(StringComparer.Ordinal);
    private readonly RedisTicketStore _store;
    private readonly SessionSignal _signal;
    private readonly IOptionsMonitor<AccessOptions> _options;
    private readonly TimeProvider _clock;

    public RecentSessionCookies(RedisTicketStore store, SessionSignal signal, IOptionsMonitor<AccessOptions> options, TimeProvider clock)
    {
        _store = store;
        _signal = signal;
        _options = options;
        _clock = clock;
        _signal.UserChanged += Forget;
        _signal.Reset += _outcomes.Clear;
    }

    /// <summary>The <c>Cookie</c> header this request may be authenticated by from here, or null (another credential, or none).</summary>
    public static string? KeyOf(HttpRequest request)
    {
        var headers = request.Headers;
        return headers.Cookie is [var cookie] && !headers.ContainsKey(HeaderNames.Authorization) && !headers.ContainsKey(AdminKeyAuthenticationHandler.Header)
            ? cookie
            : null;
    }

    public bool TryGet(string key, out AuthenticateResult result)
    {
        if (_outcomes.TryGetValue(key, out var outcome))
        {
            if (_clock.GetTimestamp() < outcome.Until && _store.Holds(outcome.Session))
            {
                result = AuthenticateResult.Success(new AuthenticationTicket(outcome.Principal.Clone(), outcome.Properties.Clone(), outcome.Scheme));
                return true;
            }

            _outcomes.TryRemove(new KeyValuePair<string, Outcome>(key, outcome));
        }

        result = null!;
        return false;
    }

    /// <summary>Keeps a successful session outcome (a copy: the caller's may be changed downstream).</summary>
    public void Remember(string key, AuthenticateResult result)
    {
        if (result is not { Succeeded: true, Ticket: { } ticket } || !ticket.Properties.Items.TryGetValue(SessionItems.Id, out var session) || session is null)
        {
            return; // a failure, or not a session (a bearer or admin key is never chosen for these requests; but never assume)
        }

        var reuse = _options.CurrentValue.Session.ReuseFor;
        if (reuse <= TimeSpan.Zero)
        {
            return;
        }

        if (_outcomes.Count >= MaxEntries)
        {
            _outcomes.Clear();
        }

        var until = _clock.GetTimestamp() + (long)(reuse.TotalSeconds * _clock.TimestampFrequency);
        _outcomes[key] = new Outcome(ticket.Principal.Clone(), ticket.Properties.Clone(), ticket.AuthenticationScheme, session, until);
    }

    public void Dispose()
    {
        _signal.UserChanged -= Forget;
        _signal.Reset -= _outcomes.Clear;
    }

    private void Forget(string user) => _outcomes.Clear(); // rare: every caller is authenticated in full once more

    private sealed record Outcome(ClaimsPrincipal Principal, AuthenticationProperties Properties, string Scheme, string Session, long Until);
}
