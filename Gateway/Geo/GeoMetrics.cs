using System.Diagnostics.Metrics;
using Gateway.Hosting;
using Gateway.Telemetry;

namespace Gateway.Geo;

/// <summary>Geo rerouting's instrument on the gateway's meter: decisions by the source of the country and their outcome.</summary>
internal sealed class GeoMetrics
{
    /// <summary>The source tag when no resolver knew the country.</summary>
    public const string NoSource = "none";

    private readonly Counter<long> _decisions;

    public GeoMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);

        _decisions = meters.Create(GatewayMeter.Name)
            .CreateCounter<long>("gateway.geo.decisions", "{decision}", "Geo decisions, by the country's source and whether the client was rerouted");
    }

    public void Decided(string source, bool rerouted)
        => _decisions.Add(1, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("rerouted", rerouted));
}
