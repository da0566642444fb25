using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Gateway.Access;

/// <summary>
/// Failed sign-ins per identifier (trimmed, lower case), whatever client they come from: after
/// <see cref="RateLimitOptions.FailuresPerIdentifier"/> failures in <see cref="RateLimitOptions.FailureWindow"/> the
/// identifier is refused until the window ends. A failure consumes a permit; a success consumes nothing.
/// </summary>
internal sealed class SignInAttempts : IDisposable
{
    private readonly PartitionedRateLimiter<string> _failures;

    public SignInAttempts(IOptions<AccessOptions> options)
    {
        var limits = options.Value.RateLimits;
        _failures = PartitionedRateLimiter.Create<string, string>(identifier => RateLimitPartition.GetFixedWindowLimiter(identifier,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.FailuresPerIdentifier, Window = limits.FailureWindow, QueueLimit = 0 }));
    }

    public static string Normalize(string identifier) => identifier.Trim().ToLowerInvariant();

    /// <summary>True when the identifier has no failure left; <paramref name="retryAfter"/> says when it will.</summary>
    public bool IsLocked(string identifier, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (_failures.GetStatistics(identifier)?.CurrentAvailablePermits is not 0)
        {
            return false;
        }

        using var lease = _failures.AttemptAcquire(identifier);
        if (lease.IsAcquired)
        {
            return false;
        }

        lease.TryGetMetadata(MetadataName.RetryAfter, out retryAfter);
        return true;
    }

    public void Failed(string identifier)
    {
        using var lease = _failures.AttemptAcquire(identifier);
    }

    public void Dispose() => _failures.Dispose();
}
