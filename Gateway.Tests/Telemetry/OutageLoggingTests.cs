using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Telemetry;

/// <summary>
/// An upstream outage under load is a couple of log lines at the shipped levels, never a stack trace per request
/// (before: ~2 KB of trace per failed request, 135 MB for a 19-second Strapi outage).
/// </summary>
public sealed class OutageLoggingTests : IClassFixture<RedisFixture>
{
    private readonly RedisFixture _redis;

    public OutageLoggingTests(RedisFixture redis) => _redis = redis;

    [Fact]
    public async Task StrapiOutageOf20SecondsUnderLoad_AtMostTenLines_NoStackTrace()
    {
        var strapi = await StubUpstream.StartAsync();
        var port = strapi.BaseUrl.Port;
        strapi.Respond(200, StrapiShapes.List());
        await using var gateway = new GatewayHost(strapi.BaseUrl, strapi.BaseUrl, _redis.Server.Configuration);
        using var client = gateway.CreateGatewayClient();
        using (var warm = await client.GetAsync("/api/v2/invoices/en-us"))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var linesBefore = gateway.ConfiguredLogs.Lines.Count;
        await strapi.DisposeAsync(); // refused from now on
        var statuses = await LoadAsync(client, TimeSpan.FromSeconds(20));
        strapi = await StubUpstream.StartAsync(port);
        strapi.Respond(200, StrapiShapes.List());
        await using var _ = strapi;
        using (var back = await client.GetAsync("/api/v2/invoices/en-us"))
        {
            Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        }

        var lines = gateway.ConfiguredLogs.Lines.Skip(linesBefore).ToList();
        Assert.True(statuses.Count(s => s == HttpStatusCode.BadGateway) > 100, $"only {statuses.Count} requests made");
        Assert.True(lines.Count <= 10, string.Join('\n', lines.Take(20)));
        Assert.DoesNotContain(lines, line => line.Contains("   at ", StringComparison.Ordinal));
        Assert.Single(lines, line => line.Contains("Upstream strapi is down", StringComparison.Ordinal));
        var up = Assert.Single(lines, line => line.Contains("Upstream strapi is back after", StringComparison.Ordinal));
        Assert.Contains($"; {statuses.Count(s => s == HttpStatusCode.BadGateway)} calls failed meanwhile", up, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FrontendAbsent_EveryRequest502_OneLineNoStackTrace()
    {
        await using var strapi = await StubUpstream.StartAsync();
        var absent = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        await using var gateway = new GatewayHost(strapi.BaseUrl, absent, _redis.Server.Configuration);
        using var client = gateway.CreateGatewayClient();
        var linesBefore = gateway.ConfiguredLogs.Lines.Count;

        for (var i = 0; i < 50; i++)
        {
            using var response = await client.GetAsync($"/dashboard/page{i}");
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        }

        // (The redirect table's start-up load may report itself meanwhile: not this test's business.)
        var lines = gateway.ConfiguredLogs.Lines.Skip(linesBefore).Where(l => !l.Contains(" Gateway.Redirects.", StringComparison.Ordinal)).ToList();
        var down = Assert.Single(lines);
        Assert.StartsWith("Warning Gateway.Upstreams[9001] Upstream frontend is down (ConnectionError)", down, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", down, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedisStoppedAndStartedAgain_OutageLoggedOnceWithItsEnd()
    {
        var redis = await RedisServer.StartAsync();
        await using var _ = redis;
        await using var strapi = await StubUpstream.StartAsync();
        await using var gateway = new GatewayHost(strapi.BaseUrl, strapi.BaseUrl, redis.Configuration);
        using var client = gateway.CreateGatewayClient();

        await redis.StopAsync();
        await WaitForAsync(() => gateway.ConfiguredLogs.Lines.Any(l => l.Contains("Upstream redis is down", StringComparison.Ordinal)));
        await Task.Delay(2000); // reconnection attempts meanwhile are counted, not logged
        await redis.StartAgainAsync();
        await WaitForAsync(() => gateway.ConfiguredLogs.Lines.Any(l => l.Contains("Upstream redis is back after", StringComparison.Ordinal)));

        Assert.Single(gateway.ConfiguredLogs.Lines, l => l.Contains("Upstream redis is down", StringComparison.Ordinal));
        Assert.DoesNotContain(gateway.ConfiguredLogs.Lines, line => line.Contains("   at ", StringComparison.Ordinal));
    }

    /// <summary>Four callers, one after the other's answer each, until the time is up.</summary>
    private static async Task<List<HttpStatusCode>> LoadAsync(HttpClient client, TimeSpan duration)
    {
        var until = DateTime.UtcNow + duration;
        var workers = Enumerable.Range(0, 4).Select(async _ =>
        {
            var statuses = new List<HttpStatusCode>();
            while (DateTime.UtcNow < until)
            {
                using var response = await client.GetAsync("/api/v2/invoices/en-us");
                statuses.Add(response.StatusCode);
            }

            return statuses;
        });
        return (await Task.WhenAll(workers)).SelectMany(s => s).ToList();
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting");
            await Task.Delay(50);
        }
    }
}
