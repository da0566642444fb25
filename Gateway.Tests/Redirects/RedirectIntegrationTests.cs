using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace Gateway.Tests.Redirects;

/// <summary>The redirect table against a real Redis, edited the way ops would with redis-cli, served by real gateways.</summary>
public sealed class RedirectIntegrationTests : RedirectTestBed
{
    [Fact]
    public async Task EmptyTable_SeedFileImported_OriginalKeysServed()
    {
        var client = await StartGatewayAsync();

        await AssertRedirectAsync(client, "/api/v1/revenues", HttpStatusCode.TemporaryRedirect, "/api/v2/revenues/en-us");
        await AssertRedirectAsync(client, "/api/v1/revenues/fr", HttpStatusCode.PermanentRedirect, "/api/v2/revenues/en-us");
        await AssertRedirectAsync(client, "/api/v1/revenues/de", HttpStatusCode.TemporaryRedirect, "/api/v2/revenues/en-us");
        Assert.Equal("""{"destination":"/api/v2/revenues/en-us","permanent":true}""", await _ops.GetDatabase().StringGetAsync(Prefix + "/api/v1/revenues/fr"));
        Assert.Empty(_frontend.Requests);
        Assert.All(_strapi.Requests, request => Assert.Equal("/_health", request.Target));
    }

    [Fact]
    public async Task HitMissTrailingSlashAndQuery()
    {
        await SetRawAsync("/old", """{"destination":"/new","permanent":true}""");
        await SetRawAsync("/old-no-query", """{"destination":"/new","permanent":false,"preserveQuery":false}""");
        var client = await StartGatewayAsync();

        await AssertRedirectAsync(client, "/old", HttpStatusCode.PermanentRedirect, "/new");
        await AssertRedirectAsync(client, "/old/", HttpStatusCode.PermanentRedirect, "/new");
        await AssertRedirectAsync(client, "/old?page=2&q=a%20b", HttpStatusCode.PermanentRedirect, "/new?page=2&q=a%20b");
        await AssertRedirectAsync(client, "/old-no-query?page=2", HttpStatusCode.TemporaryRedirect, "/new");

        using var miss = await client.GetAsync("/older?x=1");
        Assert.Equal(HttpStatusCode.OK, miss.StatusCode);
        Assert.Equal("/older?x=1", _frontend.OnlyRequest().Target);
    }

    [Fact]
    public async Task NonAsciiPaths_LoadedAndEdited_MatchThePercentEncodedRequest()
    {
        await SetRawAsync("/café", """{"destination":"/menu","permanent":true}""");
        var client = await StartGatewayAsync();
        await SetRawAsync("/naïve/über", """{"destination":"/de","permanent":false}""");

        await AssertRedirectAsync(client, "/caf%C3%A9", HttpStatusCode.PermanentRedirect, "/menu");
        await EventuallyAsync(client, "/na%C3%AFve/%C3%BCber", HttpStatusCode.TemporaryRedirect, Within);
    }

    [Fact]
    public async Task RawRedisEdits_SeenWithinASecond_ByTwoGatewaysSharingRedis()
    {
        await SetRawAsync("/seed-marker", """{"destination":"/x","permanent":false}""");
        var first = await StartGatewayAsync();
        var second = await StartGatewayAsync();

        // redis-cli SET gateway:redirect:/promo '{"destination":"/api/v2/invoices/en-us","permanent":false}'
        await SetRawAsync("/promo", """{"destination":"/api/v2/invoices/en-us","permanent":false}""");
        await EventuallyAsync(first, "/promo", HttpStatusCode.TemporaryRedirect, Within);
        await EventuallyAsync(second, "/promo", HttpStatusCode.TemporaryRedirect, Within);

        // Changed: now permanent, elsewhere.
        await SetRawAsync("/promo", """{"destination":"/api/v2/customers/en-us","permanent":true}""");
        await EventuallyAsync(first, "/promo", HttpStatusCode.PermanentRedirect, Within);
        await EventuallyAsync(second, "/promo", HttpStatusCode.PermanentRedirect, Within);
        await AssertRedirectAsync(second, "/promo", HttpStatusCode.PermanentRedirect, "/api/v2/customers/en-us");

        // redis-cli DEL gateway:redirect:/promo
        await _ops.GetDatabase().KeyDeleteAsync(Prefix + "/promo");
        await EventuallyAsync(first, "/promo", HttpStatusCode.OK, Within);
        await EventuallyAsync(second, "/promo", HttpStatusCode.OK, Within);
    }

    [Fact]
    public async Task BurstOfEditsToOneKey_TheLastOneStays()
    {
        await SetRawAsync("/seed-marker", """{"destination":"/x","permanent":false}""");
        var client = await StartGatewayAsync();

        // Every edit is heard and each one's key read again; whatever order those reads finish in, the last write wins.
        for (var round = 0; round < 5; round++)
        {
            var db = _ops.GetDatabase();
            var writes = Enumerable.Range(0, 500)
                .Select(i => db.StringSetAsync(Prefix + "/burst", $$"""{"destination":"/v{{round}}-{{i}}","permanent":false}"""))
                .ToArray();
            await Task.WhenAll(writes);
            var last = $"/v{round}-499";

            var deadline = DateTime.UtcNow.AddSeconds(10);
            string? location;
            do
            {
                using var response = await client.GetAsync("/burst");
                location = response.Headers.Location?.OriginalString;
            }
            while (location != last && DateTime.UtcNow < deadline);

            await Task.Delay(200);
            using var settled = await client.GetAsync("/burst");
            Assert.Equal(last, settled.Headers.Location?.OriginalString);
        }
    }

    [Fact]
    public async Task SubscriptionAloneDropped_EditMadeMeanwhile_SeenAfterItReconnects()
    {
        await SetRawAsync("/seed-marker", """{"destination":"/x","permanent":false}""");
        var client = await StartGatewayAsync();

        // Redis drops only the pub/sub connections (as its client-output-buffer-limit does to a slow subscriber) and,
        // in the same transaction, an edit is made that no subscriber hears. The commands connection stays up.
        await using var admin = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration + ",allowAdmin=true");
        var transaction = admin.GetDatabase().CreateTransaction();
        var killed = transaction.ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub");
        _ = transaction.StringSetAsync(Prefix + "/unheard", """{"destination":"/api/v2/invoices/en-us","permanent":false}""");
        Assert.True(await transaction.ExecuteAsync());
        Assert.True((long)await killed >= 1);

        await EventuallyAsync(client, "/unheard", HttpStatusCode.TemporaryRedirect, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task NothingMissed_CheckedEveryInterval_NotReloaded()
    {
        await SetRawAsync("/old", """{"destination":"/new","permanent":false}""");
        var gateway = NewGateway(resyncInterval: "00:00:00.200");
        var client = await StartGatewayAsync(gateway: gateway);

        int Checks() => gateway.Logs.Lines.Count(line => line.Contains("Redirect table checked: nothing missed", StringComparison.Ordinal));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Checks() < 5 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(Checks() >= 5);
        Assert.Single(gateway.Logs.Lines, line => line.Contains("Redirect table loaded from Redis", StringComparison.Ordinal));
        await AssertRedirectAsync(client, "/old", HttpStatusCode.TemporaryRedirect, "/new");
    }

    [Fact]
    public async Task DatabaseFlushed_NoNotification_TableWrittenBack()
    {
        await SetRawAsync("/old", """{"destination":"/new","permanent":false}""");
        var client = await StartGatewayAsync(gateway: NewGateway(resyncInterval: "00:00:00.200"));
        await AssertRedirectAsync(client, "/old", HttpStatusCode.TemporaryRedirect, "/new");

        await using var admin = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration + ",allowAdmin=true");
        await admin.GetServers().Single().FlushDatabaseAsync();

        // Not emptied, not replaced by the seed file: the table this gateway held goes back into Redis.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await _ops.GetDatabase().KeyExistsAsync(Prefix + "/old"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the table was not written back");
            await Task.Delay(50);
        }

        await Task.Delay(1000);
        await AssertRedirectAsync(client, "/old", HttpStatusCode.TemporaryRedirect, "/new");
        Assert.False(await _ops.GetDatabase().KeyExistsAsync(Prefix + "/api/v1/revenues"), "the seed file is not imported over the table");
    }

    [Fact]
    public async Task KeyReplacedByAHash_NoLongerServed()
    {
        await SetRawAsync("/old", """{"destination":"/new","permanent":false}""");
        var client = await StartGatewayAsync();
        await AssertRedirectAsync(client, "/old", HttpStatusCode.TemporaryRedirect, "/new");

        // The DEL is heard; by the time the gateway reads the key it is a hash, which is no entry.
        var transaction = _ops.GetDatabase().CreateTransaction();
        _ = transaction.KeyDeleteAsync(Prefix + "/old");
        _ = transaction.HashSetAsync(Prefix + "/old", "not", "an entry");
        Assert.True(await transaction.ExecuteAsync());

        await EventuallyAsync(client, "/old", HttpStatusCode.OK, Within);
    }

    [Fact]
    public async Task NotificationsSwitchedOff_EditMadeMeanwhile_SeenAtTheNextCheck()
    {
        await SetRawAsync("/seed-marker", """{"destination":"/x","permanent":false}""");
        var client = await StartGatewayAsync(gateway: NewGateway(resyncInterval: "00:00:00.200"));

        // Switched off and edited in one transaction, so no check can turn them back on before the edit.
        await using var admin = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration + ",allowAdmin=true");
        var transaction = admin.GetDatabase().CreateTransaction();
        _ = transaction.ExecuteAsync("CONFIG", "SET", "notify-keyspace-events", "");
        _ = transaction.StringSetAsync(Prefix + "/unheard", """{"destination":"/api/v2/invoices/en-us","permanent":false}""");
        Assert.True(await transaction.ExecuteAsync());

        await EventuallyAsync(client, "/unheard", HttpStatusCode.TemporaryRedirect, TimeSpan.FromSeconds(10));
        var flags = (string?)(await admin.GetServers().Single().ConfigGetAsync("notify-keyspace-events")).Single().Value;
        Assert.Contains("K", flags, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/bad-json", "{not json")]
    [InlineData("/bad-shape", """{"to":"/x"}""")]
    [InlineData("/bad-host", """{"destination":"https://evil.example.net/","permanent":false}""")]
    [InlineData("/bad-scheme-relative", """{"destination":"//evil.example.net/","permanent":false}""")]
    [InlineData("/bad-control", "{\"destination\":\"/x\\r\\nSet-Cookie: a=b\",\"permanent\":false}")]
    [InlineData("/bad-self", """{"destination":"SELF/","permanent":false}""")]
    public async Task BadEntryTypedByHand_SkippedAndLogged_OthersServed(string key, string value)
    {
        await SetRawAsync(key, value.Replace("SELF", key, StringComparison.Ordinal));
        await SetRawAsync("/good", """{"destination":"/fine","permanent":false}""");
        var gateway = NewGateway();
        var client = gateway.CreateGatewayClient();
        await EventuallyAsync(client, "/good", HttpStatusCode.TemporaryRedirect, TimeSpan.FromSeconds(5));

        using var response = await client.GetAsync(key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(gateway.Logs.Lines, line => line.Contains(Prefix + key, StringComparison.Ordinal) && line.Contains("skipped", StringComparison.Ordinal));

        // The same bad value arriving as a live edit is skipped too.
        await SetRawAsync("/live" + key, value.Replace("SELF", "/live" + key, StringComparison.Ordinal));
        await SetRawAsync("/good2", """{"destination":"/fine","permanent":false}""");
        await EventuallyAsync(client, "/good2", HttpStatusCode.TemporaryRedirect, Within);
        using var live = await client.GetAsync("/live" + key);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task CycleTypedByHand_NotServed_ChainCollapsed()
    {
        await SetRawAsync("/loop-a", """{"destination":"/loop-b","permanent":false}""");
        await SetRawAsync("/loop-b", """{"destination":"/loop-a","permanent":false}""");
        await SetRawAsync("/chain-a", """{"destination":"/chain-b","permanent":true}""");
        await SetRawAsync("/chain-b", """{"destination":"/chain-c","permanent":true}""");
        var client = await StartGatewayAsync();

        await AssertRedirectAsync(client, "/chain-a", HttpStatusCode.PermanentRedirect, "/chain-c");
        using var loop = await client.GetAsync("/loop-a");
        Assert.Equal(HttpStatusCode.OK, loop.StatusCode);
    }

    [Fact]
    public async Task RedisStoppedAndRestarted_WhileRequestsFlow_TableKeptThenResynced()
    {
        await SetRawAsync("/kept", """{"destination":"/target","permanent":false}""");
        var client = await StartGatewayAsync();
        await AssertRedirectAsync(client, "/kept", HttpStatusCode.TemporaryRedirect, "/target");

        using var flowing = new CancellationTokenSource();
        var traffic = Task.Run(async () =>
        {
            var failures = new List<string>();
            var count = 0;
            while (!flowing.IsCancellationRequested && count < 20_000)
            {
                count++;
                using var hit = await client.GetAsync("/kept");
                using var miss = await client.GetAsync("/api/other");
                if (hit.StatusCode != HttpStatusCode.TemporaryRedirect || miss.StatusCode != HttpStatusCode.OK)
                {
                    failures.Add($"{(int)hit.StatusCode}/{(int)miss.StatusCode}");
                }

                await Task.Delay(5);
            }

            return (count, failures);
        });

        await Task.Delay(300);
        await _redis.StopAsync();
        await Task.Delay(1500);
        using (var ready = await client.GetAsync("/readyz"))
        {
            // Still ready (the table it holds is served), and the report says Redis is away.
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Contains("\"redis\":{\"status\":\"Degraded\"", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await flowing.CancelAsync();
        var (requests, failed) = await traffic;
        Assert.True(requests > 10, $"only {requests} requests went through");
        Assert.Empty(failed);

        // Redis comes back empty (no persistence here) and an edit is made before the gateway has reconnected: the
        // reconnection writes back the table the gateway held (Redis has no version: it lost it), keeping that edit.
        await _redis.StartAgainAsync();
        using var ops = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration);
        await ops.GetDatabase().StringSetAsync(Prefix + "/after", """{"destination":"/back","permanent":true}""");

        await EventuallyAsync(client, "/after", HttpStatusCode.PermanentRedirect, TimeSpan.FromSeconds(20));
        await AssertRedirectAsync(client, "/kept", HttpStatusCode.TemporaryRedirect, "/target");
        Assert.True(await ops.GetDatabase().KeyExistsAsync(Prefix + "/kept"), "written back");
    }

    [Fact]
    public async Task RedisDownAtStart_ServesWithoutTable_ThenCatchesUp()
    {
        await _redis.StopAsync();
        var gateway = NewGateway();
        var client = gateway.CreateGatewayClient();

        using (var response = await client.GetAsync("/api/v1/revenues"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var ready = await client.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("never loaded", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await _redis.StartAgainAsync();
        await EventuallyAsync(client, "/api/v1/revenues", HttpStatusCode.TemporaryRedirect, TimeSpan.FromSeconds(20));
    }

    [Theory]
    [InlineData("-api-v1-revenues-fr")]
    [InlineData("%2Fapi%2Fv1%2Frevenues%2Ffr")]
    public async Task GetByKey_OriginalOrPathKey_Entry(string key)
    {
        var client = await StartGatewayAsync(adminKey: AdminKey);

        using var response = await SendAsync(client, HttpMethod.Get, "/api/redirects/" + key, null, AdminKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"destination":"/api/v2/revenues/en-us","permanent":true}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GetByKey_Unknown_404Problem()
    {
        var client = await StartGatewayAsync(adminKey: AdminKey);

        using var response = await SendAsync(client, HttpMethod.Get, "/api/redirects/-nope", null, AdminKey);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AdminApi_NoKeyConfigured_EveryKeyRefused()
    {
        var client = await StartGatewayAsync();

        using var put = await PutAsync(client, "%2Fx", """{"destination":"/y","permanent":false}""", AdminKey);
        using var list = await client.GetAsync("/api/redirects");

        await ProblemAssert.IsProblemAsync(put, HttpStatusCode.Unauthorized);
        await ProblemAssert.IsProblemAsync(list, HttpStatusCode.Unauthorized);
        Assert.False(await _ops.GetDatabase().KeyExistsAsync(Prefix + "/x"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("admin-key-for-tests-0123456789abcde")]
    [InlineData("admin-key-for-tests-0123456789abcdefx")]
    public async Task AdminApi_WrongKey_401_NothingWritten(string? key)
    {
        var client = await StartGatewayAsync(adminKey: AdminKey);

        using var put = await PutAsync(client, "%2Fx", """{"destination":"/y","permanent":false}""", key);
        using var delete = await SendAsync(client, HttpMethod.Delete, "/api/redirects/-api-v1-revenues", null, key);

        await ProblemAssert.IsProblemAsync(put, HttpStatusCode.Unauthorized);
        await ProblemAssert.IsProblemAsync(delete, HttpStatusCode.Unauthorized);
        Assert.False(await _ops.GetDatabase().KeyExistsAsync(Prefix + "/x"));
        Assert.True(await _ops.GetDatabase().KeyExistsAsync(Prefix + "/api/v1/revenues"));
    }

    [Fact]
    public async Task AdminApi_WithKey_SetListRemove_AndRefusesBadEntries()
    {
        var client = await StartGatewayAsync(adminKey: AdminKey);

        using (var put = await PutAsync(client, "%2Fpromo", """{"destination":"/api/v2/invoices/en-us","permanent":true}""", AdminKey))
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }

        await AssertRedirectAsync(client, "/promo", HttpStatusCode.PermanentRedirect, "/api/v2/invoices/en-us");
        Assert.Equal("""{"destination":"/api/v2/invoices/en-us","permanent":true}""", await _ops.GetDatabase().StringGetAsync(Prefix + "/promo"));

        using (var cycle = await PutAsync(client, "%2Fapi%2Fv2%2Finvoices%2Fen-us", """{"destination":"/promo","permanent":false}""", AdminKey))
        {
            await ProblemAssert.IsProblemAsync(cycle, HttpStatusCode.BadRequest);
        }

        using (var evil = await PutAsync(client, "%2Fevil", """{"destination":"https://evil.example.net/","permanent":false}""", AdminKey))
        {
            await ProblemAssert.IsProblemAsync(evil, HttpStatusCode.BadRequest);
        }

        using (var list = await SendAsync(client, HttpMethod.Get, "/api/redirects?prefix=/promo", null, AdminKey))
        {
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            using var document = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
            Assert.Equal(["/promo"], document.RootElement.EnumerateObject().Select(p => p.Name));
        }

        using (var delete = await SendAsync(client, HttpMethod.Delete, "/api/redirects/-promo", null, AdminKey))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        Assert.False(await _ops.GetDatabase().KeyExistsAsync(Prefix + "/promo"));
        Assert.False(await _ops.GetDatabase().KeyExistsAsync(Prefix + "/evil"));
    }
}
