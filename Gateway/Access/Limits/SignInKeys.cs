namespace Gateway.Access;

/// <summary>The counters one sign-in touches (names, without the Redis prefix: <see cref="SessionKeys.Counter"/>).</summary>
internal readonly record struct SignInKeys(string Client, string ClientAccount, string Account, string AccountGate)
{
    /// <summary><paramref name="account"/>: <c>user:{id}</c> when the identifier names a Strapi user, else <c>name:{identifier}</c>.</summary>
    public static SignInKeys For(string client, string account)
        => new("sign-in:" + client, "failures:" + client + ":" + account, "failures:" + account, "slow:" + account);
}

/// <summary>The sign-in limits, from <see cref="RateLimitOptions"/>.</summary>
internal readonly record struct SignInLimits(int PerClient, TimeSpan Window, int FailuresPerClient, int FailuresPerAccount, TimeSpan FailureWindow, TimeSpan Slowdown)
{
    public static SignInLimits From(RateLimitOptions options)
        => new(options.SignInPerClient, options.Window, options.FailuresPerIdentifier, options.FailuresPerAccount, options.FailureWindow, options.AccountSlowdown);
}
