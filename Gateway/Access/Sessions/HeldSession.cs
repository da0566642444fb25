using Microsoft.AspNetCore.Authentication;

namespace Gateway.Access;

/// <summary>A session this replica holds in memory: its ticket (never handed out: callers get copies), and when it was last checked against Strapi and last written as seen.</summary>
internal sealed class HeldSession(string id, AuthenticationTicket ticket, DateTimeOffset created, string user)
{
    private long _checked;
    private long _seenWritten;

    public string Id { get; } = id;

    public AuthenticationTicket Ticket { get; } = ticket;

    public DateTimeOffset Created { get; } = created;

    /// <summary>The user index it belongs to (<see cref="SessionKeys.UserIndex"/>).</summary>
    public string User { get; } = user;

    /// <summary>When the user was last checked against Strapi (Unix milliseconds; kept in Redis too, so a replica that reads the session does not check it again at once).</summary>
    public long Checked
    {
        get => Interlocked.Read(ref _checked);
        set => Interlocked.Exchange(ref _checked, value);
    }

    /// <summary>True at most once per <paramref name="every"/>: time to tell Redis the session was used.</summary>
    public bool SeenDue(TimeProvider clock, TimeSpan every)
    {
        var last = Interlocked.Read(ref _seenWritten);
        var now = clock.GetTimestamp();
        return (last == 0 || clock.GetElapsedTime(last, now) >= every) && Interlocked.CompareExchange(ref _seenWritten, now, last) == last;
    }

    public AuthenticationTicket Copy()
    {
        var properties = Ticket.Properties.Clone();
        properties.Items[SessionItems.Id] = Id;
        return new AuthenticationTicket(Ticket.Principal.Clone(), properties, Ticket.AuthenticationScheme);
    }
}

/// <summary>What a session's ticket carries in its properties, beyond the cookie handler's own.</summary>
internal static class SessionItems
{
    /// <summary>The session's id (set on the copy handed out, so <c>OnValidatePrincipal</c> knows which session it checks).</summary>
    public const string Id = ".gateway.session";

    /// <summary>When the session began (round-trip format): the absolute lifetime counts from here.</summary>
    public const string Created = ".gateway.created";
}
