using System.Net;
using System.Text.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Hosting;

public sealed class HealthTests : IAsyncLifetime
{
    private static readonly string[] RedisAway = ["not answering", "not connected"];

    private RedisServer _redis = null!;
    private StubUpstream _strapi = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _strapi = await StubUpstream.StartAsync();
        _strapi.Respond(204);
        _gateway = new GatewayHost(_strapi.BaseUrl, _strapi.BaseUrl, _redis.Configuration);
        _client = _gateway.CreateGatewayClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _strapi.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Healthz_200_EvenWhenEverythingElseIsDown()
    {
        await _redis.StopAsync();
        _strapi.Respond(500);

        using var response = await _client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(_strapi.Requests);
    }

    [Fact]
    public async Task Readyz_Polled_OutboundChecksNotLoggedAtTheShippedLevels()
    {
        for (var poll = 0; poll < 3; poll++)
        {
            using var response = await _client.GetAsync("/readyz");
        }

        // The Strapi check made its HTTP calls, and IHttpClientFactory logged each at Information (four lines a call)...
        Assert.Contains(_gateway.Logs.Lines, line => line.StartsWith("Information System.Net.Http.HttpClient.StrapiHealthCheck", StringComparison.Ordinal));

        // ...which appsettings.json keeps off the console: a probe every few seconds would flood it.
        Assert.DoesNotContain(_gateway.ConfiguredLogs.Lines, line => line.Contains(" System.Net.Http.HttpClient.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Readyz_RedisAndStrapiUp_200()
    {
        using var response = await WaitReadyAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await ReadAsync(response);
        Assert.Equal("Healthy", report.GetProperty("checks").GetProperty("redirects").GetProperty("status").GetString());
        Assert.Equal("Healthy", report.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString());
        Assert.Equal("Healthy", report.GetProperty("checks").GetProperty("strapi").GetProperty("status").GetString());
        Assert.All(_strapi.Requests, request => Assert.Equal("/_health", request.Target));
    }

    [Fact]
    public async Task Readyz_RedisDown_StillReady_DegradedNamingRedis()
    {
        await WaitReadyAsync();
        await _redis.StopAsync();

        using var response = await _client.GetAsync("/readyz");

        // Every replica shares Redis: taking them all out of the pool would stop the redirects and reads they still serve.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await ReadAsync(response);
        Assert.Equal("Degraded", report.GetProperty("status").GetString());
        var checks = report.GetProperty("checks");
        Assert.Equal("Degraded", checks.GetProperty("redis").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("strapi").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readyz_RedisHangs_DegradedNotAnswering_InFewWords_LoggedOncePerOutage()
    {
        await WaitReadyAsync();
        await _redis.PauseAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = _client.BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
            for (var poll = 0; poll < 3; poll++)
            {
                using var response = await client.GetAsync("/readyz");
                var text = await response.Content.ReadAsStringAsync();

                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var redis = JsonDocument.Parse(text).RootElement.GetProperty("checks").GetProperty("redis");
                Assert.Equal("Degraded", redis.GetProperty("status").GetString());
                Assert.Contains(redis.GetProperty("description").GetString(), RedisAway);
                Assert.DoesNotContain(_redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
                Assert.DoesNotContain("127.0.0.1", text, StringComparison.Ordinal);
                Assert.DoesNotContain("StackExchange", text, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("Exception", text, StringComparison.OrdinalIgnoreCase);
            }
        }
        finally
        {
            await _redis.ResumeAsync();
        }

        await WaitReadyAsync();
        var lines = _gateway.ConfiguredLogs.Lines.ToList();
        Assert.DoesNotContain(lines, line => line.StartsWith("Error", StringComparison.Ordinal) || line.StartsWith("Critical", StringComparison.Ordinal));
        Assert.Single(lines, line => line.Contains("Readiness check failing: redis", StringComparison.Ordinal));
        Assert.Single(lines, line => line.Contains("Readiness check passing again: redis", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Readyz_StrapiFailing_StillReady_DegradedNamingStrapi()
    {
        await WaitReadyAsync();
        _strapi.Respond(503);

        using var response = await _client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var checks = (await ReadAsync(response)).GetProperty("checks");
        Assert.Equal("Degraded", checks.GetProperty("strapi").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("redis").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readyz_StrapiHangs_DegradedWithinItsTimeout()
    {
        await WaitReadyAsync();
        _strapi.Hang();

        using var response = await _client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var strapi = (await ReadAsync(response)).GetProperty("checks").GetProperty("strapi");
        Assert.Equal("timed out", strapi.GetProperty("description").GetString());
    }

    /// <summary>Ready once the redirect table has had its first load from Redis (and Redis answers): give that a moment.</summary>
    private async Task<HttpResponseMessage> WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var response = await _client.GetAsync("/readyz");
        while (response.StatusCode != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            response.Dispose();
            await Task.Delay(50);
            response = await _client.GetAsync("/readyz");
        }

        return response;
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }
}
