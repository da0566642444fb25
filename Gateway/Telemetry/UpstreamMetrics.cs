using System.Diagnostics.Metrics;

namespace Gateway.Telemetry;

/// <summary>
/// <c>gateway.upstream.failures</c>: calls to an upstream that got no answer (refused, reset, timed out), by upstream;
/// <c>gateway.upstream.down</c>: 1 while an upstream's outage lasts, else 0.
/// </summary>
internal sealed class UpstreamMetrics
{
    private const string UpstreamTag = "upstream";
    private readonly Counter<long> _failures;

    public UpstreamMetrics(IMeterFactory meters, Func<IEnumerable<UpstreamOutage>> outages)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(GatewayMeter.Name);
        _failures = meter.CreateCounter<long>("gateway.upstream.failures", "{call}",
            "Calls to an upstream that got no answer: refused, reset or timed out.");
        meter.CreateObservableGauge("gateway.upstream.down",
            () => outages().Select(o => new Measurement<int>(o.IsDown ? 1 : 0, new KeyValuePair<string, object?>(UpstreamTag, o.Upstream))),
            "{outage}", "1 while the gateway counts an upstream as down.");
    }

    public void Failed(string upstream) => _failures.Add(1, new KeyValuePair<string, object?>(UpstreamTag, upstream));
}
