using System.Net;
using System.Text.Json;

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
        Assert.Equal("5", await _ops.GetDatabase().HashGetAsync("gateway:redirect-hits", "/hit"));

        using var notHit = await SendAsync(first, HttpMethod.Get, "/api/redirects?notHitSince=" + Uri.EscapeDataString(before.ToString("O")), null, AdminKey);
        using var document = JsonDocument.Parse(await notHit.Content.ReadAsStringAsync());
        Assert.Equal(["/cold"], document.RootElement.EnumerateObject().Select(p => p.Name));
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
