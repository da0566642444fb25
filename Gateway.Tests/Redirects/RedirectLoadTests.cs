using System.Net;
using Gateway.Redirects;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Gateway.Tests.Redirects;

/// <summary>
/// Issue 16: the full load, read ahead and parsed on every core, still takes every page, skips each bad entry with its
/// key, and logs each cycle while leaving it unserved.
/// </summary>
public sealed class RedirectLoadTests : RedirectTestBed
{
    [Fact]
    public async Task ManyPages_EveryGoodEntryServed_EveryBadOneSkippedWithItsKey()
    {
        // 12,500 keys: more pages of 1,000 than the loader reads ahead, and a part page at the end.
        const int Count = 12_500;
        var db = _ops.GetDatabase();
        await Task.WhenAll(Enumerable.Range(0, Count).Select(i => db.StringSetAsync(
            $"{Prefix}/many/{i}",
            i % 1000 == 7 ? "not json" : $$"""{"destination":"/to/{{i}}","permanent":{{(i % 2 == 0 ? "true" : "false")}}}""")));
        var gateway = NewGateway(AdminKey);
        var client = await StartGatewayAsync(gateway: gateway);

        foreach (var i in new[] { 0, 1, 999, 1000, 6001, 11_999, 12_000, Count - 1 })
        {
            await AssertRedirectAsync(client, $"/many/{i}", i % 2 == 0 ? HttpStatusCode.PermanentRedirect : HttpStatusCode.TemporaryRedirect, $"/to/{i}");
        }

        using var list = await SendAsync(client, HttpMethod.Get, "/api/redirects?limit=100000", null, AdminKey);
        var body = await list.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(Count - 13, System.Text.RegularExpressions.Regex.Count(body, "\"/many/"));
        for (var i = 7; i < Count; i += 1000)
        {
            using var bad = await client.GetAsync($"/many/{i}");
            Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
            Assert.Contains(gateway.Logs.Lines, line => line.Contains($"{Prefix}/many/{i} skipped", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task CycleAndLongChain_LoggedByKey_NotServed_GoodChainServed()
    {
        await SetRawAsync("/loop/a", """{"destination":"/loop/b","permanent":false}""");
        await SetRawAsync("/loop/b", """{"destination":"/loop/a","permanent":false}""");
        await SetRawAsync("/chain/1", """{"destination":"/chain/2","permanent":true}""");
        await SetRawAsync("/chain/2", """{"destination":"/done","permanent":true}""");
        await SetRawAsync("/into", """{"destination":"/moved/deep/page","permanent":true}""");
        await SetRawAsync("/moved", """{"destination":"/elsewhere","permanent":true,"match":"prefix"}""");
        for (var i = 0; i < 12; i++)
        {
            await SetRawAsync($"/long/{i}", $$"""{"destination":"/long/{{i + 1}}","permanent":false}""");
        }

        var gateway = NewGateway(AdminKey);
        var client = await StartGatewayAsync(gateway: gateway);

        await AssertRedirectAsync(client, "/chain/1", HttpStatusCode.PermanentRedirect, "/done");
        await AssertRedirectAsync(client, "/into", HttpStatusCode.PermanentRedirect, "/elsewhere/deep/page");
        using (var loop = await client.GetAsync("/loop/a"))
        {
            Assert.Equal(HttpStatusCode.OK, loop.StatusCode);
        }

        using (var tooLong = await client.GetAsync("/long/0"))
        {
            Assert.Equal(HttpStatusCode.OK, tooLong.StatusCode);
        }

        bool Logged(string key) => gateway.Logs.Lines.Any(line => line.Contains(Prefix + key + " is part of a cycle", StringComparison.Ordinal));
        Assert.True(Logged("/loop/a") && Logged("/loop/b") && Logged("/long/0"));
        Assert.False(Logged("/chain/1") || Logged("/chain/2") || Logged("/into") || Logged("/long/11"));
    }

    [Fact]
    public async Task RedisHangingDuringLoad_TheRedisFailureIsThrown_NextLoadComplete()
    {
        const int Count = 3_000;
        var db = _ops.GetDatabase();
        await Task.WhenAll(Enumerable.Range(0, Count).Select(i => db.StringSetAsync($"{Prefix}/hang/{i}", """{"destination":"/x","permanent":false}""")));
        var gateway = NewGateway(AdminKey, settings: new Dictionary<string, string?> { ["Redis:Timeout"] = "00:00:01" });
        await StartGatewayAsync(gateway: gateway);
        var loader = gateway.Services.GetRequiredService<RedirectLoader>();

        // What RedirectSync catches to keep serving the last table and retry: a Redis failure, not a cancellation,
        // an AggregateException or a hang.
        await _redis.PauseAsync();
        try
        {
            var load = loader.LoadAsync(CancellationToken.None);
            Assert.Same(load, await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(30))));
            var failure = await Record.ExceptionAsync(() => load);
            Assert.True(failure is RedisException or TimeoutException, $"thrown: {failure}");
        }
        finally
        {
            await _redis.ResumeAsync();
        }

        Assert.Equal(Count, (await loader.LoadAsync(CancellationToken.None)).Count);
    }
}
