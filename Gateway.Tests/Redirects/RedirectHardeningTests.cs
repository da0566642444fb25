using System.Net;
using Gateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace Gateway.Tests.Redirects;

/// <summary>Issue 14: non-ASCII destinations, an admin write while Redis hangs, Redis losing its data under three gateways.</summary>
public sealed class RedirectHardeningTests : RedirectTestBed
{
    [Theory]
    [InlineData("/café", "/caf%C3%A9")]
    [InlineData("/／x", "/%EF%BC%8Fx")]
    [InlineData("/naïve?q=ü#é", "/na%C3%AFve?q=%C3%BC#%C3%A9")]
    [InlineData("https://docs.example.com/straße", "https://docs.example.com/stra%C3%9Fe")]
    public async Task NonAsciiDestination_SentPercentEncoded_ByLoadAndAdminApi(string destination, string location)
    {
        await SetRawAsync("/typed", $$"""{"destination":"{{destination}}","permanent":true}""");
        var gateway = NewGateway(AdminKey, settings: new Dictionary<string, string?> { ["Redirects:AllowedHosts:0"] = "docs.example.com" });
        var client = await StartGatewayAsync(gateway: gateway);

        using (var put = await PutAsync(client, "%2Fput", $$"""{"destination":"{{destination}}","permanent":false}""", AdminKey))
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }

        await AssertRedirectAsync(client, "/typed", HttpStatusCode.PermanentRedirect, location);
        await AssertRedirectAsync(client, "/put", HttpStatusCode.TemporaryRedirect, location);
        Assert.DoesNotContain(gateway.Logs.Lines, line => line.Contains("Exception", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/a\u2028b")]
    [InlineData("/a\u00a0b")]
    [InlineData("/a\u200bb")]
    [InlineData("/a\u202eb")]
    public async Task InvisibleOrLineBreakingDestination_RefusedOnWrite_SkippedOnLoad(string destination)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new { destination, permanent = false });
        await SetRawAsync("/typed", json);
        await SetRawAsync("/good", """{"destination":"/fine","permanent":false}""");
        var gateway = NewGateway(AdminKey);
        var client = await StartGatewayAsync(gateway: gateway);

        using var put = await PutAsync(client, "%2Fput", json, AdminKey);
        using var typed = await client.GetAsync("/typed");

        await ProblemAssert.IsProblemAsync(put, HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.OK, typed.StatusCode);
        Assert.False(await _ops.GetDatabase().KeyExistsAsync(Prefix + "/put"));
        Assert.Contains(gateway.Logs.Lines, line => line.Contains(Prefix + "/typed", StringComparison.Ordinal) && line.Contains("skipped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AdminWrite_RedisHanging_503Problem_TableStillServed()
    {
        await SetRawAsync("/kept", """{"destination":"/target","permanent":false}""");
        var client = await StartGatewayAsync(AdminKey);

        await _redis.PauseAsync();
        try
        {
            using var put = await PutAsync(client, "%2Fnew", """{"destination":"/y","permanent":false}""", AdminKey);
            using var delete = await SendAsync(client, HttpMethod.Delete, "/api/redirects/%2Fkept", null, AdminKey);

            await ProblemAssert.IsProblemAsync(put, HttpStatusCode.ServiceUnavailable);
            await ProblemAssert.IsProblemAsync(delete, HttpStatusCode.ServiceUnavailable);
            await AssertRedirectAsync(client, "/kept", HttpStatusCode.TemporaryRedirect, "/target");
        }
        finally
        {
            await _redis.ResumeAsync();
        }
    }

    [Fact]
    public async Task RedisFlushed_ThreeGatewaysWithDifferentHistories_TheirTableWrittenBack_SameEverywhere()
    {
        // First starts on an empty Redis and imports redirects.json; an entry is added; the second starts on that
        // table; ops then remove a seed entry by hand and the third starts on what is left.
        var first = await StartGatewayAsync();
        await SetRawAsync("/extra", """{"destination":"/x","permanent":false}""");
        var second = await StartGatewayAsync();
        await _ops.GetDatabase().KeyDeleteAsync(Prefix + "/api/v1/revenues/de");
        var third = NewGateway();
        var thirdClient = await StartGatewayAsync(gateway: third);
        HttpClient[] gateways = [first, second, thirdClient];
        foreach (var gateway in gateways)
        {
            await EventuallyAsync(gateway, "/extra", HttpStatusCode.TemporaryRedirect, Within);
            await EventuallyAsync(gateway, "/api/v1/revenues/de", HttpStatusCode.OK, Within);
        }

        await using var admin = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration + ",allowAdmin=true");
        await admin.GetServers().Single().FlushAllDatabasesAsync();

        // The rule: a Redis that lost its data gets back the table the gateways held (not redirects.json), written back
        // by one of them; the same table everywhere.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(await ScanTableAsync()).Contains("/extra"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the table was not written back");
            await Task.Delay(50);
        }

        foreach (var gateway in gateways)
        {
            await EventuallyAsync(gateway, "/extra", HttpStatusCode.TemporaryRedirect, TimeSpan.FromSeconds(5));
            await EventuallyAsync(gateway, "/api/v1/revenues/de", HttpStatusCode.OK, TimeSpan.FromSeconds(5));
            await AssertRedirectAsync(gateway, "/api/v1/revenues", HttpStatusCode.TemporaryRedirect, "/api/v2/revenues/en-us");
        }

        Assert.Equal(3, (await ScanTableAsync()).Count);
        deadline = DateTime.UtcNow.AddSeconds(5);
        while (!third.Logs.Lines.Any(line => line.Contains("Redis lost the redirect table", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "the third gateway did not notice the loss");
            await Task.Delay(50);
        }

        // The log line comes when the loss is noticed; /readyz says so once the reload (or write-back) that follows has
        // replaced the table, a moment later: asked once right after the line, it could still show the old note.
        deadline = DateTime.UtcNow.AddSeconds(5);
        string readiness;
        while (true)
        {
            using var ready = await thirdClient.GetAsync("/readyz");
            readiness = await ready.Content.ReadAsStringAsync();
            if (readiness.Contains("after Redis lost", StringComparison.Ordinal) || DateTime.UtcNow >= deadline)
            {
                break;
            }

            await Task.Delay(50);
        }

        Assert.Contains("after Redis lost", readiness, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedisRestartedWithoutData_ThreeGateways_SameTableAgain()
    {
        var gateways = new[] { await StartGatewayAsync(), await StartGatewayAsync(), await StartGatewayAsync() };
        await SetRawAsync("/extra", """{"destination":"/x","permanent":false}""");
        foreach (var gateway in gateways)
        {
            await EventuallyAsync(gateway, "/extra", HttpStatusCode.TemporaryRedirect, Within);
        }

        await _redis.StopAsync();
        await _redis.StartAgainAsync();

        // Each gateway notices at its reconnection (StackExchange.Redis retries about every second); the first to take the
        // lease writes the table back, /extra included.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!(await ScanTableAsync()).Contains("/extra"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the table was not written back");
            await Task.Delay(50);
        }

        foreach (var gateway in gateways)
        {
            await EventuallyAsync(gateway, "/extra", HttpStatusCode.TemporaryRedirect, TimeSpan.FromSeconds(5));
            await EventuallyAsync(gateway, "/api/v1/revenues/de", HttpStatusCode.TemporaryRedirect, Within);
        }

        Assert.Equal(4, (await ScanTableAsync()).Count);
    }

    [Fact]
    public async Task TableEmptiedByOps_SeedFileNotImportedAgain_OnAnyGateway()
    {
        var first = await StartGatewayAsync(AdminKey);
        foreach (var key in await ScanTableAsync())
        {
            using var delete = await SendAsync(first, HttpMethod.Delete, "/api/redirects/" + Uri.EscapeDataString(key), null, AdminKey);
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        var second = await StartGatewayAsync();

        await EventuallyAsync(first, "/api/v1/revenues", HttpStatusCode.OK, Within);
        await EventuallyAsync(second, "/api/v1/revenues", HttpStatusCode.OK, Within);
        Assert.Empty(await ScanTableAsync());
    }

    private async Task<List<string>> ScanTableAsync()
    {
        var keys = new List<string>();
        await foreach (var key in _ops.GetServers().Single().KeysAsync(pattern: Prefix + "*"))
        {
            keys.Add(((string)key!)[Prefix.Length..]);
        }

        return keys;
    }
}
