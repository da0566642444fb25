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

        // HttpClient's (YARP's calls) and the runtime's. (ASP.NET Core's and Kestrel's own are checked in a gateway process of
        // its own, JsonLogsTests: here many test hosts share one process, each with meters of those names.)
        string[] series = ["http_client_request_duration_seconds_count", "dotnet_gc_"];

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
        // Every gateway in this test process reports to every meter listener: the sum only grows, which is all this needs.
        var total = 0.0;
        foreach (Match match in FailureLine().Matches(scrape))
        {
            if (match.Groups["labels"].Value.Contains($"upstream=\"{upstream}\"", StringComparison.Ordinal))
            {
                total += double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return total;
    }

    [GeneratedRegex(@"^gateway_upstream_failures(?:_total)?\{(?<labels>[^}]*)\} (?<value>[0-9.eE+]+)", RegexOptions.Multiline)]
    private static partial Regex FailureLine();
}
