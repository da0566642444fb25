namespace Gateway.Access;

/// <summary>What a shared counter said: go on, or wait <see cref="RetryAfter"/>, and why.</summary>
internal readonly record struct LimitVerdict(LimitRefusal Refusal, TimeSpan RetryAfter)
{
    public static readonly LimitVerdict Allowed = new(LimitRefusal.None, TimeSpan.Zero);

    public bool IsAllowed => Refusal == LimitRefusal.None;
}

/// <summary>Which limit refused (the values the Lua script returns).</summary>
internal enum LimitRefusal
{
    None = 0,

    /// <summary>Too many calls from the client in the window (sign-ins, admin API calls, admin-key guesses).</summary>
    Client = 1,

    /// <summary>Too many failed sign-ins for this account from this client.</summary>
    ClientAccount = 2,

    /// <summary>The account had many failures from everywhere: one attempt per slow-down interval.</summary>
    AccountSlowed = 3,
}
