using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Gateway.Tests.Csv;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Hosting;

/// <summary>The CSV, currency and geo instruments on the "Gateway" meter move when their features run.</summary>
public sealed class GatewayMetricsTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task CsvRowsCurrencySourceRateAgeAndGeoDecisions_Measured()
    {
        await using var strapi = await StubUpstream.StartAsync();
        await using var rates = await StubUpstream.StartAsync();
        rates.Respond(200, """{"result":"success","time_last_update_unix":1732406401,"rates":{"EUR":0.9}}""");
        await using var gateway = new GatewayHost(strapi.BaseUrl, strapi.BaseUrl, redis.Server.Configuration, new Dictionary<string, string?>
        {
            ["Currency:RateApi:BaseUrl"] = rates.BaseUrl.AbsoluteUri,
            ["Currency:CacheKeyPrefix"] = $"test:metrics:{Guid.NewGuid():N}:",
        });
        using var client = gateway.CreateGatewayClient();
        var factory = gateway.Services.GetRequiredService<IMeterFactory>();
        var seen = new ConcurrentQueue<(string Name, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Gateway" && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => seen.Enqueue((instrument.Name, value, Tags(tags))));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => seen.Enqueue((instrument.Name, value, Tags(tags))));
        listener.Start();

        strapi.Handler = InvoicePages.Serve(250);
        Assert.Equal(InvoicePages.Csv(250), await client.GetStringAsync(new Uri("/api/v2/invoices/en-us/csv", UriKind.Relative)));
        strapi.Respond(200, """{"data":[{"amount":100}],"meta":{"pagination":{"page":1,"pageSize":25,"pageCount":1,"total":1}}}""");
        await client.GetStringAsync(new Uri("/api/v2/invoices/fr", UriKind.Relative));
        await client.GetStringAsync(new Uri("/api/v1/invoices", UriKind.Relative));
        listener.RecordObservableInstruments();

        Assert.Equal(250, seen.Where(m => m.Name == "gateway.csv.rows").Sum(m => m.Value));
        Assert.Contains(seen, m => m.Name == "gateway.currency.views" && (string?)m.Tags["source"] == "live");
        Assert.Contains(seen, m => m.Name == "gateway.currency.rate.age" && (string?)m.Tags["currency"] == "EUR" && m.Value >= 0);
        Assert.Contains(seen, m => m.Name == "gateway.geo.decisions" && (string?)m.Tags["source"] == "none" && Equals(m.Tags["rerouted"], false));
    }

    private static Dictionary<string, object?> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var all = new Dictionary<string, object?>();
        foreach (var (key, value) in tags)
        {
            all[key] = value;
        }

        return all;
    }
}
