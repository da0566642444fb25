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
}
