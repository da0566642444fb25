namespace Gateway.Access;

/// <summary>
/// The same counts as <see cref="SharedCounters"/>' scripts, in this replica's memory: the fallback while Redis is
/// unreachable, so a limit is never lifted, only no longer shared.
/// </summary>
internal sealed class LocalCounters(TimeProvider clock)
{
    private const int PruneAbove = 10_000;
    private readonly Dictionary<string, (long Count, DateTimeOffset Ends)> _windows = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public LimitVerdict Hit(string key, int limit, TimeSpan window)
    {
        lock (_lock)
        {
            var count = Increment(key, window, out var ends);
            return count > limit ? new LimitVerdict(LimitRefusal.Client, ends - clock.GetUtcNow()) : LimitVerdict.Allowed;
        }
    }

    public LimitVerdict BeginSignIn(SignInKeys keys, SignInLimits limits)
    {
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            if (Increment(keys.Client, limits.Window, out var clientEnds) > limits.PerClient)
            {
                return new(LimitRefusal.Client, clientEnds - now);
            }

            var (clientFailures, clientFailuresEnd) = Read(keys.ClientAccount);
            if (clientFailures >= limits.FailuresPerClient)
            {
                return new(LimitRefusal.ClientAccount, clientFailuresEnd - now);
            }

            var (accountFailures, _) = Read(keys.Account);
            if (accountFailures >= limits.FailuresPerAccount)
            {
                var (gate, gateEnds) = Read(keys.AccountGate);
                if (gate > 0)
                {
                    return new(LimitRefusal.AccountSlowed, gateEnds - now);
                }

                Increment(keys.AccountGate, limits.Slowdown, out _);
            }

            Increment(keys.ClientAccount, limits.FailureWindow, out _);
            Increment(keys.Account, limits.FailureWindow, out _);
            return LimitVerdict.Allowed;
        }
    }

    public void SignInSucceeded(SignInKeys keys)
    {
        lock (_lock)
        {
            _windows.Remove(keys.ClientAccount);
            if (_windows.TryGetValue(keys.Account, out var account) && account.Count > 0)
            {
                _windows[keys.Account] = (account.Count - 1, account.Ends);
            }
        }
    }

    private (long Count, DateTimeOffset Ends) Read(string key)
        => _windows.TryGetValue(key, out var window) && window.Ends > clock.GetUtcNow() ? window : (0, default);

    private long Increment(string key, TimeSpan length, out DateTimeOffset ends)
    {
        var now = clock.GetUtcNow();
        if (_windows.Count > PruneAbove)
        {
            foreach (var stale in _windows.Where(w => w.Value.Ends <= now).Select(w => w.Key).ToList())
            {
                _windows.Remove(stale);
            }
        }

        var (count, end) = Read(key);
        if (count == 0)
        {
            end = now + length;
        }

        _windows[key] = (count + 1, end);
        ends = end;
        return count + 1;
    }
}
