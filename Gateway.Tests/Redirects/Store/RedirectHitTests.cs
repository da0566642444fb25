using System.Net;
using System.Text.Json;
using Gateway.Redirects;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Gateway.Tests.Redirects;

/// <summary>Hit counts: counted in memory on each gateway, summed in Redis over every replica, listed with the last hit.</summary>
public sealed class RedirectHitTests : RedirectTestBed
{
    private static readonly Dictionary<string, string?> FastFlush = new() { ["Redirects:HitFlushInterval"] = "00:00:00.200" };

    [Fact]
    public async Task HitsOnTwoGateways_SummedInRedis_ListedWithTheLastHit()
    {
        await SetRawAsync("/hit", """{"destination":"/x","permanent":false}""");
        await SetRawAsync("/docs", """{"destination":"/manual","permanent":false,"match":"prefix"}""");
        await SetRawAsync("/cold", """{"destination":"/y","permanent":false}""");
        var first = await StartGatewayAsync(gateway: NewGateway(AdminKey, settings: FastFlush));
        var second = await StartGatewayAsync(gateway: NewGateway(AdminKey, settings: FastFlush));
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        foreach (var (client, path, times) in new[] { (first, "/hit", 3), (second, "/hit", 2), (second, "/docs/a", 1), (first, "/docs/b/c", 1) })
        {
            for (var i = 0; i < times; i++)
            {
                using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
                Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
            }
        }

        var listed = await EventuallyListedAsync(first, "/api/redirects", root => root.GetProperty("/hit").GetProperty("hits").GetInt64() == 5
            && root.GetProperty("/docs").GetProperty("hits").GetInt64() == 2);
        Assert.Equal(0, listed.GetProperty("/cold").GetProperty("hits").GetInt64());
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("/cold").GetProperty("lastHit").ValueKind);
        Assert.True(listed.GetProperty("/hit").GetProperty("lastHit").GetDateTimeOffset() > before);
        Assert.Equal("5", await _ops.GetDatabase().HashGetAsync(HitCounts, "/hit"));

        using var notHit = await SendAsync(first, HttpMethod.Get, "/api/redirects?notHitSince=" + Uri.EscapeDataString(before.ToString("O")), null, AdminKey);
        using var document = JsonDocument.Parse(await notHit.Content.ReadAsStringAsync());
        Assert.Equal(["/cold"], document.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task BadValueInTheHitHashes_ListStillAnswers_CountsStayRight()
    {
        await SetRawAsync("/a-first", """{"destination":"/x","permanent":false}""");
        await SetRawAsync("/bad", """{"destination":"/y","permanent":false}""");
        await SetRawAsync("/z-last", """{"destination":"/z","permanent":false}""");
        await _ops.GetDatabase().HashSetAsync(HitCounts, "/bad", "not-a-number");
        await _ops.GetDatabase().HashSetAsync(HitCounts, "/z-last", "1.5");
        var client = await StartGatewayAsync(gateway: NewGateway(AdminKey, settings: FastFlush));

        var before = await EventuallyListedAsync(client, "/api/redirects", root => root.TryGetProperty("/bad", out _));
        Assert.Equal(0, before.GetProperty("/bad").GetProperty("hits").GetInt64());

        // One hit each, flushed in one batch (a script that stopped at the bad value would keep the first entry's hit and
        // add it again at every retry).
        foreach (var path in new[] { "/a-first", "/bad", "/z-last" })
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        }

        await EventuallyListedAsync(client, "/api/redirects", root => root.GetProperty("/bad").GetProperty("hits").GetInt64() == 1);
        await Task.Delay(1000); // several more flush intervals: nothing may be added again
        var database = _ops.GetDatabase();
        Assert.Equal("1", await database.HashGetAsync(HitCounts, "/a-first"));
        Assert.Equal("1", await database.HashGetAsync(HitCounts, "/bad"));
        Assert.Equal("1", await database.HashGetAsync(HitCounts, "/z-last"));
    }

    [Fact]
    public async Task HitsCountedWhileRedisIsDown_AddedWhenItIsBack()
    {
        await SetRawAsync("/hit", """{"destination":"/x","permanent":false}""");
        var client = await StartGatewayAsync(gateway: NewGateway(AdminKey, settings: FastFlush));

        await _redis.PauseAsync();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                using var response = await client.GetAsync("/hit");
                Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
            }

            await Task.Delay(500);
        }
        finally
        {
            await _redis.ResumeAsync();
        }

        await EventuallyListedAsync(client, "/api/redirects?prefix=/hit", root => root.GetProperty("/hit").GetProperty("hits").GetInt64() == 4);
    }

    [Fact]
    public async Task DeletedThenAddedAgain_StartsAtZeroHits()
    {
        var client = await StartGatewayAsync(gateway: NewGateway(AdminKey, settings: FastFlush));
        using var add = await PutAsync(client, "%2Fagain", """{"destination":"/x","permanent":false}""", AdminKey);
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync("/again");
            Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        }

        await EventuallyListedAsync(client, "/api/redirects", root => root.GetProperty("/again").GetProperty("hits").GetInt64() == 3);
        using var remove = await SendAsync(client, HttpMethod.Delete, "/api/redirects/%2Fagain", null, AdminKey);
        var countsAfterDelete = await HitsInRedisAsync("/again");
        using var addAgain = await PutAsync(client, "%2Fagain", """{"destination":"/y","permanent":false}""", AdminKey);
        await Task.Delay(500); // flushes run meanwhile: nothing of the old entry's may come back

        Assert.Equal(HttpStatusCode.NoContent, remove.StatusCode);
        Assert.Equal((RedisValue.Null, RedisValue.Null), countsAfterDelete);
        var listed = await EventuallyListedAsync(client, "/api/redirects", root => root.TryGetProperty("/again", out _));
        Assert.Equal(0, listed.GetProperty("/again").GetProperty("hits").GetInt64());
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("/again").GetProperty("lastHit").ValueKind);
    }

    [Fact]
    public async Task ImportReplace_DeletesTheHitCountsOfTheEntriesItDeletes()
    {
        await SetRawAsync("/kept", """{"destination":"/x","permanent":false}""");
        await SetRawAsync("/stale", """{"destination":"/x","permanent":false}""");
        foreach (var key in new[] { "/kept", "/stale" })
        {
            await _ops.GetDatabase().HashSetAsync(HitCounts, key, 7);
            await _ops.GetDatabase().HashSetAsync(LastHits, key, 1_700_000_000_000);
        }

        var client = await StartGatewayAsync(gateway: NewGateway(AdminKey));

        using var replace = await ImportAsync(client, "source,target,status\n/kept,/x,307\n", "text/csv", replace: true);

        Assert.Equal(HttpStatusCode.OK, replace.StatusCode);
        Assert.Equal((RedisValue.Null, RedisValue.Null), await HitsInRedisAsync("/stale"));
        Assert.Equal(((RedisValue)7, (RedisValue)1_700_000_000_000), await HitsInRedisAsync("/kept"));
    }

    /// <summary>
    /// Hits a replica counted before an entry was deleted and flushes after it (the delete's notification not yet heard
    /// there) are not added back: a flush adds only to entries Redis still holds.
    /// </summary>
    [Fact]
    public async Task HitsFlushedAfterTheDelete_NotAddedBack()
    {
        await SetRawAsync("/alive", """{"destination":"/x","permanent":false}""");
        var gateway = NewGateway(AdminKey);
        await StartGatewayAsync(gateway: gateway);
        var hits = gateway.Services.GetRequiredService<RedirectHitStore>();

        await hits.AddAsync([("/alive", 2, 1_700_000_000_000), ("/deleted", 3, 1_700_000_000_000)]);

        Assert.Equal(((RedisValue)2, (RedisValue)1_700_000_000_000), await HitsInRedisAsync("/alive"));
        Assert.Equal((RedisValue.Null, RedisValue.Null), await HitsInRedisAsync("/deleted"));
    }

    private async Task<(RedisValue Count, RedisValue LastHit)> HitsInRedisAsync(string key)
        => (await _ops.GetDatabase().HashGetAsync(HitCounts, key), await _ops.GetDatabase().HashGetAsync(LastHits, key));

    private static async Task<JsonElement> EventuallyListedAsync(HttpClient client, string path, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string body;
        do
        {
            using var response = await SendAsync(client, HttpMethod.Get, path, null, AdminKey);
            body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                using var document = JsonDocument.Parse(body);
                if (done(document.RootElement))
                {
                    return document.RootElement.Clone();
                }
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail("never listed as expected: " + body);
        return default;
    }
}
