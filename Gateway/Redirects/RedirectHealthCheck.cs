using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Redirects;

/// <summary>Ready once the table has been loaded from Redis; the report says how big it is and when it last matched Redis.</summary>
internal sealed class RedirectHealthCheck(RedirectSnapshot snapshot, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var table = snapshot.Current;
        return Task.FromResult(snapshot.SyncedAt is { } at
            ? HealthCheckResult.Healthy($"{table.Count} entries, in full step with Redis {(time.GetUtcNow() - at).TotalSeconds:0} s ago{(snapshot.Note is { } note ? "; " + note : "")}")
            : HealthCheckResult.Unhealthy("never loaded from Redis: no redirect is served"));
    }
}
