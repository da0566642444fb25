using System.Net;
using Gateway.Caching;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using StackExchange.Redis;

namespace Gateway.Tests.Caching;

/// <summary>
/// The response cache in front of a stand-in Strapi (answers a test sets, requests counted) with a real Redis that each
/// test may stop or freeze: what is kept, what never is, and Redis trouble only skipping the cache.
/// </summary>
public sealed class ResponseCacheTests : IAsyncLifetime
{
    private const string List = "/api/v2/invoices/en-us?sort=id:asc";
    private RedisServer _redis = null!;
    private StubUpstream _strapi = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _strapi = await StubUpstream.StartAsync();
        _strapi.Respond(200, StrapiShapes.List());
        _gateway = new GatewayHost(_strapi.BaseUrl, _strapi.BaseUrl, _redis.Configuration, new Dictionary<string, string?>
        {
            ["ResponseCache:Enabled"] = "true",
            ["ResponseCache:RedisTimeout"] = "00:00:00.200",
            ["ResponseCache:RetryAfter"] = "00:00:00.200",
            ["Redis:Timeout"] = "00:00:01",
        });
        _client = _gateway.CreateGatewayClient();
        _client.Timeout = TimeSpan.FromSeconds(8);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _strapi.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task CallerCredentials_StillCachedAndSharedByCallers()
    {
        using var first = await SendAsync(List, ("Authorization", "Bearer caller-one"), ("Cookie", ".gateway.session=one"));
        using var second = await SendAsync(List, ("Authorization", "Bearer caller-two"), ("Cookie", ".gateway.session=two"));

        Assert.Equal(CacheStatus.Miss, StatusOf(first));
        Assert.Equal(CacheStatus.Hit, StatusOf(second));
        Assert.Equal(StrapiShapes.List(), await second.Content.ReadAsStringAsync());
        Assert.Single(_strapi.Requests);
    }

    [Fact]
    public async Task AnswerThatSetsACookie_NeverStored()
    {
        _strapi.Handler = async context =>
        {
            context.Response.Headers.SetCookie = "upstream=secret; Path=/";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(StrapiShapes.List());
        };

        using var first = await _client.GetAsync(List);
        using var second = await _client.GetAsync(List);

        Assert.Equal(CacheStatus.Miss, StatusOf(second));
        Assert.Equal(2, _strapi.Requests.Count);
    }

    [Fact]
    public async Task CacheOff_NoHeaderAndEveryReadGoesToStrapi()
    {
        await using var off = new GatewayHost(_strapi.BaseUrl, _strapi.BaseUrl, _redis.Configuration);
        using var client = off.CreateGatewayClient();

        using var first = await client.GetAsync(List);
        using var second = await client.GetAsync(List);

        Assert.False(second.Headers.Contains(CacheStatus.HeaderName));
        Assert.Equal(2, _strapi.Requests.Count);
    }

    [Fact]
    public async Task WriteThroughOneReplica_AnotherReplicaReadsStrapiAtOnce()
    {
        // Each replica also keeps answers in its memory; the other's eviction must reach that memory too.
        await using var other = new GatewayHost(_strapi.BaseUrl, _strapi.BaseUrl, _redis.Configuration, new Dictionary<string, string?>
        {
            ["ResponseCache:Enabled"] = "true",
            ["ResponseCache:MemoryLifetime"] = "00:00:01",
        });
        using var otherClient = other.CreateGatewayClient();
        const string Document = "/api/v2/invoices/en-us/s2r77wbev8x1yjgxloln2517";
        using (await _client.GetAsync(Document))
        {
        }

        for (var i = 0; i < 3; i++)
        {
            using var warm = await otherClient.GetAsync(Document);
            Assert.Equal(CacheStatus.Hit, StatusOf(warm));
        }

        _strapi.Respond(200, StrapiShapes.Single().Replace("15795", "16000", StringComparison.Ordinal));
        using var put = await _client.PutAsync(Document, new StringContent("""{"amount":16000}""", null, "application/json"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using var after = await otherClient.GetAsync(Document);

        Assert.Equal(CacheStatus.Miss, StatusOf(after));
        Assert.Contains("16000", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedisStopped_ReadsGoToStrapi_OutageLoggedOnce()
    {
        using (await _client.GetAsync(List))
        {
        }

        await _redis.StopAsync();
        for (var i = 0; i < 10; i++)
        {
            using var response = await _client.GetAsync(List);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(StrapiShapes.List(), await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(11, _strapi.Requests.Count);
        Assert.Single(_gateway.Logs.Lines, line => line.Contains("[11010]", StringComparison.Ordinal));
        Assert.DoesNotContain(_gateway.Logs.Lines, line => line.StartsWith("Error", StringComparison.Ordinal) && line.Contains("OutputCach", StringComparison.Ordinal));

        await _redis.StartAgainAsync();
        await EventuallyServedFromCacheAsync();
        Assert.Single(_gateway.Logs.Lines, line => line.Contains("[11011]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RedisHanging_ReadsGoToStrapiWithoutWaitingForIt()
    {
        using (await _client.GetAsync(List))
        {
        }

        // Every command waits while Redis is paused; the gateway's own Redis timeout (1 s) and the client's (8 s) are
        // both shorter than the pause, so only skipping the cache lets these reads through.
        using (var admin = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration + ",allowAdmin=true"))
        {
            await admin.GetServers()[0].ExecuteAsync("CLIENT", "PAUSE", "15000", "ALL");
        }

        for (var i = 0; i < 3; i++)
        {
            using var response = await _client.GetAsync(List);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(4, _strapi.Requests.Count);
        Assert.Single(_gateway.Logs.Lines, line => line.Contains("[11010]", StringComparison.Ordinal));
        Assert.DoesNotContain(_gateway.Logs.Lines, line => line.StartsWith("Error", StringComparison.Ordinal));
    }

    private async Task EventuallyServedFromCacheAsync()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            using var response = await _client.GetAsync(List);
            if (StatusOf(response) == CacheStatus.Hit)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("the cache was not used again after Redis came back");
    }

    private async Task<HttpResponseMessage> SendAsync(string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await _client.SendAsync(request);
    }

    private static string? StatusOf(HttpResponseMessage response)
        => response.Headers.TryGetValues(CacheStatus.HeaderName, out var values) ? string.Join(", ", values) : null;
}
