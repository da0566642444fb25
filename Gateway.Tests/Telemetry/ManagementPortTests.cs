using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Telemetry;

/// <summary>Prometheus's scrape endpoint and the health endpoints on the management port; never metrics on the public port.</summary>
public sealed partial class ManagementPortTests : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private StubUpstream _strapi = null!;
    private StubUpstream _frontend = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _client = null!;
    private HttpClient _management = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _strapi = await StubUpstream.StartAsync();
        _frontend = await StubUpstream.StartAsync();
        _strapi.Respond(200, StrapiShapes.List());
        _frontend.Respond(200, "<html>dashboard</html>", "text/html; charset=utf-8");
        _gateway = new GatewayHost(_strapi.BaseUrl, _frontend.BaseUrl, _redis.Configuration);
        _client = _gateway.CreateGatewayClient();
        _management = new HttpClient { BaseAddress = _gateway.ManagementAddress };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        _management.Dispose();
        await _gateway.DisposeAsync();
        await _strapi.DisposeAsync();
        await _frontend.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public void ManagementPort_IsNotThePublicPort()
    {
        Assert.NotEqual(_gateway.Address.Port, _gateway.ManagementAddress.Port);
    }

    [Fact]
    public async Task Metrics_GatewayMeterMovesAfterRequests()
    {
        using (var answered = await _client.GetAsync("/api/v2/invoices/en-us"))
        {
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        var before = UpstreamFailures(await ScrapeAsync(), "strapi");
        _strapi.Handler = context =>
        {
            context.Abort();
            return Task.CompletedTask;
        };
        for (var i = 0; i < 5; i++)
        {
            using var failed = await _client.GetAsync("/api/v2/invoices/en-us");
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        }

        // HttpClient's (YARP's calls), the runtime's and ASP.NET Core's: this host's own, though other test hosts in this
        // process have meters of that name.
        string[] series = ["http_client_request_duration_seconds_count", "dotnet_gc_", "http_server_request_duration_seconds_count"];

        // A request's duration is recorded as it ends, and the exporter caches a scrape for a moment: ask until all is there
        // (generously: on a loaded machine the first scrape of the runtime's meters has taken over 10 s).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string text;
        do
        {
            await Task.Delay(100);
            text = await ScrapeAsync();
        }
        while ((UpstreamFailures(text, "strapi") < before + 5 || !series.All(name => text.Contains(name, StringComparison.Ordinal)))
            && DateTime.UtcNow < deadline);

        Assert.True(UpstreamFailures(text, "strapi") >= before + 5, text);
        Assert.All(series, name => Assert.Contains(name, text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_GatewayMeterStillMoves_AfterAnotherGatewayInTheProcessIsDisposed()
    {
        var before = UpstreamFailures(await ScrapeAsync(), "strapi");
        _strapi.Handler = context =>
        {
            context.Abort();
            return Task.CompletedTask;
        };

        // Another gateway in this process, with a "Gateway" meter of its own whose instruments have this one's names: it
        // counts a failure of its own, then goes away (and its meters with it).
        await using (var other = new GatewayHost(_strapi.BaseUrl, _frontend.BaseUrl, _redis.Configuration))
        {
            using var otherClient = other.CreateGatewayClient();
            using var failed = await otherClient.GetAsync("/api/v2/invoices/en-us");
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        }

        for (var i = 0; i < 5; i++)
        {
            using var failed = await _client.GetAsync("/api/v2/invoices/en-us");
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        }

        // The exporter caches a scrape for a moment: ask until it is there.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string text;
        do
        {
            await Task.Delay(100);
            text = await ScrapeAsync();
        }
        while (UpstreamFailures(text, "strapi") < before + 5 && DateTime.UtcNow < deadline);

        // This gateway's five, not the other's one.
        Assert.True(UpstreamFailures(text, "strapi") == before + 5, text);
    }

    [Fact]
    public async Task Metrics_OnThePublicPort_GoToTheFrontendLikeAnyUnknownPath()
    {
        using var response = await _client.GetAsync("/metrics");

        Assert.Equal("<html>dashboard</html>", await response.Content.ReadAsStringAsync());
        Assert.Equal("/metrics", _frontend.OnlyRequest().Target);
    }

    [Fact]
    public async Task Health_OnTheManagementPort()
    {
        using var live = await _management.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        using var ready = await _management.GetAsync("/readyz");
        Assert.Contains("\"checks\"", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("strapi", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManagementPort_ServesNothingElse()
    {
        using var response = await _management.GetAsync("/api/v2/invoices/en-us");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(_strapi.Requests);
        Assert.Empty(_frontend.Requests);
    }

    private async Task<string> ScrapeAsync()
    {
        using var response = await _management.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static double UpstreamFailures(string scrape, string upstream)
    {
        // This gateway's counter only (other gateways in this test process have their own): one series by upstream, or none yet.
        var values = FailureLine().Matches(scrape)
            .Where(match => match.Groups["labels"].Value.Contains($"upstream=\"{upstream}\"", StringComparison.Ordinal))
            .Select(match => double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture))
            .ToList();
        Assert.True(values.Count <= 1, scrape);
        return values.Count == 0 ? 0 : values[0];
    }

    [GeneratedRegex(@"^gateway_upstream_failures(?:_total)?\{(?<labels>[^}]*)\} (?<value>[0-9.eE+]+)", RegexOptions.Multiline)]
    private static partial Regex FailureLine();
}
