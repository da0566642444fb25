using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Access;

/// <summary>The data-protection key ring: how many elements this replica holds, and what a write-back last put back.</summary>
internal sealed class KeyRingHealthCheck(KeyRingRepository ring) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(HealthCheckResult.Healthy($"{ring.Held} elements held{(ring.Note is { } note ? "; " + note : "")}"));
}
