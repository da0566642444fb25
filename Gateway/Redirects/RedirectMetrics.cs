using System.Diagnostics.Metrics;

namespace Gateway.Redirects;

/// <summary>
/// The redirect table's instruments on the "Gateway" meter: hits and misses (counters, no tags, so adding allocates
/// nothing), the table's size and the seconds since it last matched Redis in full (observed when exported).
/// </summary>
internal sealed class RedirectMetrics
{
    public const string MeterName = "Gateway";

    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;

    public RedirectMetrics(IMeterFactory meters, RedirectSnapshot snapshot, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(time);

        var meter = meters.Create(MeterName);
        _hits = meter.CreateCounter<long>("gateway.redirect.hits", "{request}", "Requests answered by the redirect table");
        _misses = meter.CreateCounter<long>("gateway.redirect.misses", "{request}", "Requests the redirect table passed on");
        meter.CreateObservableGauge("gateway.redirect.entries", () => snapshot.Current.Count, "{entry}", "Entries in the redirect table");
        meter.CreateObservableGauge("gateway.redirect.sync.age", () => snapshot.SyncedAt is { } at ? (time.GetUtcNow() - at).TotalSeconds : double.NaN,
            "s", "Seconds since the redirect table last matched Redis in full");
    }

    public void Hit() => _hits.Add(1);

    public void Miss() => _misses.Add(1);
}
