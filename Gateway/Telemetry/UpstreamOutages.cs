using System.Diagnostics.Metrics;
using System.Collections.Concurrent;

namespace Gateway.Telemetry;

/// <summary>
/// The outage log of every upstream, by name (<see cref="Upstreams"/>). A feature that calls an upstream reports each
/// call's outcome to <c>For(name)</c> instead of logging each failure, so an outage is two lines, whatever the load.
/// </summary>
public sealed class UpstreamOutages
{
    private readonly ConcurrentDictionary<string, UpstreamOutage> _outages = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly UpstreamMetrics _metrics;

    public UpstreamOutages(ILoggerFactory loggers, TimeProvider time, IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        _logger = loggers.CreateLogger("Gateway.Upstreams");
        _time = time;
        _metrics = new UpstreamMetrics(meters, () => _outages.Values);
    }

    public UpstreamOutage For(string upstream)
    {
        ArgumentException.ThrowIfNullOrEmpty(upstream);
        return _outages.TryGetValue(upstream, out var outage)
            ? outage
            : _outages.GetOrAdd(upstream, name => new UpstreamOutage(name, _logger, _time, _metrics));
    }
}
