using System.Diagnostics.Metrics;
using Gateway.Hosting;
using Gateway.Telemetry;

namespace Gateway.Csv;

/// <summary>The exports' instruments on the gateway's meter: rows sent, and exports that ended broken, by why.</summary>
internal sealed class CsvMetrics
{
    private readonly Counter<long> _rows;
    private readonly Counter<long> _aborted;
    private readonly Counter<long> _prefetches;

    public CsvMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);

        var meter = meters.Create(GatewayMeter.Name);
        _rows = meter.CreateCounter<long>("gateway.csv.rows", "{row}", "CSV rows sent to clients");
        _aborted = meter.CreateCounter<long>("gateway.csv.aborted", "{export}", "CSV exports that ended broken, by reason");
        _prefetches = meter.CreateCounter<long>("gateway.csv.prefetches", "{request}", "Prefetches of a CSV export answered without exporting");
    }

    public void Rows(string export, int count)
        => _rows.Add(count, new KeyValuePair<string, object?>("export", export));

    public void Aborted(string export, string reason)
        => _aborted.Add(1, new KeyValuePair<string, object?>("export", export), new KeyValuePair<string, object?>("reason", reason));

    public void Prefetched(string export)
        => _prefetches.Add(1, new KeyValuePair<string, object?>("export", export));
}
