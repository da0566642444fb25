using System.Diagnostics.Metrics;
using Gateway.Hosting;
using Gateway.Telemetry;

namespace Gateway.Currency;

/// <summary>
/// The currency views' instruments on the gateway's meter: which rate source each view used (live, cached, stale,
/// fallback), and how old each held rate is.
/// </summary>
internal sealed class CurrencyMetrics
{
    private readonly Meter _meter;
    private readonly Counter<long> _views;

    public CurrencyMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);

        _meter = meters.Create(GatewayMeter.Name);
        _views = _meter.CreateCounter<long>("gateway.currency.views", "{view}", "Currency views answered, by rate source");
    }

    public void Viewed(CurrencyQuote quote)
        => _views.Add(1,
            new KeyValuePair<string, object?>("currency", quote.Code),
            new KeyValuePair<string, object?>("source", CurrencyViewWriter.SourceName(quote.Source)));

    /// <summary>Reports the age of each held rate, in seconds since it was fetched, read when the meter is collected.</summary>
    public void TrackRateAge(Func<IEnumerable<Measurement<double>>> ages)
        => _meter.CreateObservableGauge("gateway.currency.rate.age", ages, "s", "Seconds since each held exchange rate was fetched");
}
