using System.ComponentModel.DataAnnotations;

namespace Gateway.Hosting;

/// <summary>How the gateway stops (SIGTERM, Ctrl-C). Section <c>Shutdown</c>.</summary>
public sealed class ShutdownOptions
{
    public const string SectionName = "Shutdown";

    /// <summary>
    /// How long requests in flight (a CSV export, say) get to finish once a stop is asked for: Kestrel stops accepting
    /// at once, and the host waits up to this long (<see cref="HostOptions.ShutdownTimeout"/>). A container's stop
    /// grace period (<c>stop_grace_period</c> in docker-compose.yml) must be longer.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>
    /// On a stop, how long <c>/readyz</c> answers 503 while the gateway still takes connections, before the drain begins:
    /// the time a load balancer or Kubernetes' endpoints need to notice and stop sending (0 by default, for a stop by
    /// hand; a deployment behind a balancer sets a few seconds). The stop takes up to this plus <see cref="DrainTimeout"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ReadinessDelay { get; set; } = TimeSpan.Zero;
}
