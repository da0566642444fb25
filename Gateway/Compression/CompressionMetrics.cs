using System.Diagnostics.Metrics;

namespace Gateway.Compression;

/// <summary><c>gateway.compression.responses</c> on the "Gateway" meter: answers the gateway compressed, by coding.</summary>
internal sealed class CompressionMetrics
{
    private readonly Counter<long> _compressed;

    public CompressionMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(Gateway.Telemetry.GatewayMeter.Name);
        _compressed = meter.CreateCounter<long>("gateway.compression.responses", "{response}",
            "Answers compressed by the gateway (a cache hit is served as stored and not counted)");
    }

    public void Compressed(string encoding) => _compressed.Add(1, new KeyValuePair<string, object?>("encoding", encoding));
}
