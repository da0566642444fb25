using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Access;

/// <summary>
/// The security limits every replica shares: counters in Redis, each check one script (one round trip). Redis
/// unreachable or slower than <see cref="AccessOptions.RedisTimeout"/>: each replica counts alone
/// (<see cref="LocalCounters"/>) and leaves Redis alone for a few seconds; the outage is logged once, and its end.
/// </summary>
internal sealed partial class SharedCounters(
    IConnectionMultiplexer redis,
    LocalCounters local,
    IOptionsMonitor<AccessOptions> options,
    TimeProvider clock,
    ILogger<SharedCounters> logger)
{
    private static readonly TimeSpan RetryAfterOutage = TimeSpan.FromSeconds(5);

    /// <summary>KEYS[1] counted in a window of ARGV[2] ms; over ARGV[1]: refused with the window's rest.</summary>
    private const string HitScript = """
        local n = redis.call('INCR', KEYS[1])
        if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        if n > tonumber(ARGV[1]) then return {1, redis.call('PTTL', KEYS[1])} end
        return {0, 0}
        """;

    /// <summary>
    /// One sign-in, before Strapi is asked. KEYS: the client's sign-ins, this client's failures for the account, the
    /// account's failures, the account's slow-down gate. ARGV: sign-ins per client, window ms, failures per client,
    /// failures per account, failure window ms, slow-down ms. A failure is counted now (released on success), so a
    /// concurrent burst cannot pass more than the limit.
    /// </summary>
    private const string SignInScript = """
        local n = redis.call('INCR', KEYS[1])
        if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        if n > tonumber(ARGV[1]) then return {1, redis.call('PTTL', KEYS[1])} end
        local mine = tonumber(redis.call('GET', KEYS[2]) or '0')
        if mine >= tonumber(ARGV[3]) then return {2, redis.call('PTTL', KEYS[2])} end
        local all = tonumber(redis.call('GET', KEYS[3]) or '0')
        if all >= tonumber(ARGV[4]) then
          if not redis.call('SET', KEYS[4], '1', 'PX', ARGV[6], 'NX') then return {3, redis.call('PTTL', KEYS[4])} end
        end
        if redis.call('INCR', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[5]) end
        if redis.call('INCR', KEYS[3]) == 1 then redis.call('PEXPIRE', KEYS[3], ARGV[5]) end
        return {0, 0}
        """;

    /// <summary>A success: this client's failures for the account are forgiven, and the one counted for this try released.</summary>
    private const string SucceededScript = """
        redis.call('DEL', KEYS[1])
        if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
        """;

    private long _pausedUntil;
    private int _inOutage;

    /// <summary>One more call under <paramref name="limit"/> per <paramref name="window"/> for <paramref name="name"/>.</summary>
    public async Task<LimitVerdict> HitAsync(string name, int limit, TimeSpan window)
        => await RunAsync([SessionKeys.Counter(name)], HitScript, [limit, (long)window.TotalMilliseconds], () => local.Hit(name, limit, window));

    /// <summary>A sign-in of <paramref name="keys"/>' account from its client, counted as a failure until <see cref="SignInSucceeded"/>.</summary>
    public async Task<LimitVerdict> BeginSignInAsync(SignInKeys keys)
    {
        var limits = SignInLimits.From(options.CurrentValue.RateLimits);
        return await RunAsync(
            [SessionKeys.Counter(keys.Client), SessionKeys.Counter(keys.ClientAccount), SessionKeys.Counter(keys.Account), SessionKeys.Counter(keys.AccountGate)],
            SignInScript,
            [limits.PerClient, (long)limits.Window.TotalMilliseconds, limits.FailuresPerClient, limits.FailuresPerAccount,
                (long)limits.FailureWindow.TotalMilliseconds, (long)limits.Slowdown.TotalMilliseconds],
            () => local.BeginSignIn(keys, limits));
    }

    /// <summary>Without waiting for Redis: the sign-in succeeded.</summary>
    public void SignInSucceeded(SignInKeys keys)
    {
        local.SignInSucceeded(keys);
        if (Available())
        {
            _ = redis.GetDatabase().ScriptEvaluateAsync(SucceededScript,
                [SessionKeys.Counter(keys.ClientAccount), SessionKeys.Counter(keys.Account)], flags: CommandFlags.FireAndForget);
        }
    }

    private async Task<LimitVerdict> RunAsync(RedisKey[] keys, string script, RedisValue[] arguments, Func<LimitVerdict> fallback)
    {
        if (!Available())
        {
            return fallback();
        }

        try
        {
            var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(script, keys, arguments)
                .WaitAsync(options.CurrentValue.RedisTimeout, clock))!;
            Recovered();
            var refusal = (LimitRefusal)(int)result[0];
            return refusal == LimitRefusal.None ? LimitVerdict.Allowed : new LimitVerdict(refusal, TimeSpan.FromMilliseconds(Math.Max(1, (long)result[1])));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Interlocked.Exchange(ref _pausedUntil, clock.GetTimestamp() + (long)(RetryAfterOutage.TotalSeconds * clock.TimestampFrequency));
            if (Interlocked.Exchange(ref _inOutage, 1) == 0)
            {
                LogOutage(logger, e is TimeoutException ? "timed out" : e.GetType().Name);
            }

            return fallback();
        }
    }

    private bool Available() => redis.IsConnected && clock.GetTimestamp() >= Interlocked.Read(ref _pausedUntil);

    private void Recovered()
    {
        if (Volatile.Read(ref _inOutage) == 1 && Interlocked.Exchange(ref _inOutage, 0) == 1)
        {
            LogRecovered(logger);
        }
    }

    [LoggerMessage(EventId = 9341, Level = LogLevel.Warning,
        Message = "Security limits: Redis unreachable ({Reason}); each replica counts sign-ins, failures and admin-key guesses on its own until it is back")]
    private static partial void LogOutage(ILogger logger, string reason);

    [LoggerMessage(EventId = 9342, Level = LogLevel.Information, Message = "Security limits: Redis reachable again; the counters are shared again")]
    private static partial void LogRecovered(ILogger logger);
}
