using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Hosting;

/// <summary>
/// Logs readiness checks once per outage (a shared dependency degraded, or this replica unready): when a check stops being healthy (what it said) and when it is healthy again (after how
/// many failed polls), instead of ASP.NET Core's health-check service logging an error on every poll of <c>/readyz</c>
/// (its category is set to Critical in appsettings.json).
/// </summary>
internal sealed partial class ReadinessLog(ILogger<ReadinessLog> logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _failedPolls = new(StringComparer.Ordinal);

    public void Observe(HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(report);

        lock (_gate)
        {
            foreach (var (name, entry) in report.Entries)
            {
                var healthy = entry.Status == HealthStatus.Healthy;
                var failing = _failedPolls.TryGetValue(name, out var polls);
                if (!healthy)
                {
                    _failedPolls[name] = polls + 1;
                    if (!failing)
                    {
                        LogNotReady(logger, name, HealthEndpoints.Describe(entry));
                    }
                }
                else if (failing)
                {
                    _failedPolls.Remove(name);
                    LogReadyAgain(logger, name, polls);
                }
            }
        }
    }

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "Readiness check failing: {Check} ({Description})")]
    private static partial void LogNotReady(ILogger logger, string check, string? description);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Readiness check passing again: {Check}, after {FailedPolls} failed readiness polls")]
    private static partial void LogReadyAgain(ILogger logger, string check, int failedPolls);
}
