using System.Diagnostics.Metrics;
using Gateway.Telemetry;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Telemetry;

/// <summary>The outage log: one line when an upstream goes down, one when it is back with the count meanwhile.</summary>
public sealed class UpstreamOutageTests : IDisposable
{
    private readonly LogCapture _logs = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ILoggerFactory _loggers;
    private readonly UpstreamOutages _outages;

    public UpstreamOutageTests()
    {
        _loggers = LoggerFactory.Create(logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
        _outages = new UpstreamOutages(_loggers, TimeProvider.System, _services.GetRequiredService<IMeterFactory>());
    }

    public void Dispose()
    {
        _loggers.Dispose();
        _services.Dispose();
    }

    [Fact]
    public void ManyFailuresThenASuccess_TwoLines_WithTheCount()
    {
        var outage = _outages.For("strapi");
        outage.Succeeded();
        for (var i = 0; i < 1000; i++)
        {
            outage.Failed("ConnectionError");
        }

        Assert.True(outage.IsDown);
        outage.Succeeded();
        outage.Succeeded();

        Assert.Collection(_logs.Lines,
            down => Assert.StartsWith("Warning Gateway.Upstreams[9001] Upstream strapi is down (ConnectionError)", down, StringComparison.Ordinal),
            up =>
            {
                Assert.StartsWith("Information Gateway.Upstreams[9002] Upstream strapi is back after ", up, StringComparison.Ordinal);
                Assert.Contains("; 1000 calls failed meanwhile", up, StringComparison.Ordinal);
            });
        Assert.False(outage.IsDown);
    }

    [Fact]
    public async Task ConcurrentFailures_OneLineOnly_EveryFailureCounted()
    {
        var outage = _outages.For("frontend");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 5000; i++)
            {
                outage.Failed("ConnectionError");
            }
        })));
        outage.Succeeded();

        Assert.Single(_logs.Lines, line => line.Contains("is down", StringComparison.Ordinal));
        Assert.Single(_logs.Lines, line => line.Contains("; 40000 calls failed meanwhile", StringComparison.Ordinal));
    }

    [Fact]
    public void SecondOutage_LoggedAgain_CountStartsOver()
    {
        var outage = _outages.For("redis");
        outage.Failed("SocketFailure");
        outage.Failed("SocketFailure");
        outage.Succeeded();
        outage.Failed("SocketFailure");
        outage.Succeeded();

        Assert.Equal(4, _logs.Lines.Count);
        Assert.Contains("; 1 calls failed meanwhile", _logs.Lines.Last(), StringComparison.Ordinal);
    }

    [Fact]
    public void Failures_CountedOnTheGatewayMeter_ByUpstream()
    {
        var meters = _services.GetRequiredService<IMeterFactory>();
        var counted = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // This test's meter only: other tests' gateways count failures at the same time.
            if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Meter.Name == GatewayMeter.Name
                && instrument.Name == "gateway.upstream.failures")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var upstream = (string)tags.ToArray().Single(t => t.Key == "upstream").Value!;
            counted.AddOrUpdate(upstream, value, (_, sum) => sum + value);
        });
        listener.Start();

        _outages.For("geo-api").Failed("timed out");
        _outages.For("geo-api").Failed("timed out");
        _outages.For("rate-api").Failed("timed out");

        Assert.Equal(2, counted["geo-api"]);
        Assert.Equal(1, counted["rate-api"]);
    }

    [Fact]
    public async Task TypedClientWithTheOutageLog_RefusedCalls_OneLine_ThenBackOnAnAnswer()
    {
        await using var upstream = await StubUpstream.StartAsync();
        var port = upstream.BaseUrl.Port;
        var services = new ServiceCollection()
            .AddSingleton(_outages)
            .AddHttpClient("rates", http => http.BaseAddress = upstream.BaseUrl).AddUpstreamOutageLog(Upstreams.RateApi).Services
            .BuildServiceProvider();
        await using var _ = services;
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("rates");
        await upstream.DisposeAsync();

        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/v6/latest/USD"));
        }

        await using var back = await StubUpstream.StartAsync(port);
        using var answered = await client.GetAsync("/v6/latest/USD");

        Assert.Collection(_logs.Lines,
            down => Assert.Contains("Upstream rate-api is down (ConnectionError)", down, StringComparison.Ordinal),
            up => Assert.Contains("; 3 calls failed meanwhile", up, StringComparison.Ordinal));
    }
}
