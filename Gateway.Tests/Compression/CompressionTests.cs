using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Gateway.Caching;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using static Gateway.Tests.Infrastructure.ContentDecoding;

namespace Gateway.Tests.Compression;

/// <summary>
/// gzip and Brotli in front of a stand-in Strapi, with the response cache in a real Redis: negotiated by
/// <c>Accept-Encoding</c>, <c>Vary</c> set, cached answers kept compressed and served as kept.
/// </summary>
public sealed class CompressionTests : IAsyncLifetime
{
    private const string List = "/api/v2/invoices/en-us?sort=id:asc";
    private static readonly string Body = "{\"data\":[" + string.Join(',', Enumerable.Range(1, 25).Select(id => StrapiShapes.Item($"doc{id:00000000000000000000}", id, id * 100)))
        + """],"meta":{"pagination":{"page":1,"pageSize":25,"pageCount":1,"total":25}}}""";

    private readonly ConcurrentQueue<string> _compressed = new();
    private RedisServer _redis = null!;
    private StubUpstream _strapi = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _client = null!;
    private MeterListener _listener = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _strapi = await StubUpstream.StartAsync();
        _strapi.Respond(200, Body);
        _gateway = new GatewayHost(_strapi.BaseUrl, _strapi.BaseUrl, _redis.Configuration, new Dictionary<string, string?>
        {
            ["ResponseCache:Enabled"] = "true",
        });
        _client = _gateway.CreateGatewayClient();
        _listener = CompressionCounter(_gateway, _compressed);
    }

    public async Task DisposeAsync()
    {
        _listener.Dispose();
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _strapi.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Theory]
    [InlineData("br", "br")]
    [InlineData("gzip", "gzip")]
    [InlineData("gzip, deflate, br, zstd", "br")]
    [InlineData("br;q=0.5, gzip", "gzip")]
    [InlineData("*", "br")]
    public async Task AcceptEncoding_CodingChosen_DecodesToTheIdentityBody_Vary(string accept, string coding)
    {
        using var compressed = await SendAsync(_client, List, accept);
        using var identity = await SendAsync(_client, List, null);

        Assert.Equal(HttpStatusCode.OK, compressed.StatusCode);
        Assert.Equal(coding, EncodingOf(compressed));
        Assert.True(VariesByAcceptEncoding(compressed));
        Assert.Equal(Body, await DecodedTextAsync(compressed));
        Assert.Equal(Body, await identity.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("identity")]
    [InlineData("br;q=0, gzip;q=0")]
    [InlineData("zstd")]
    public async Task NoCodingAsked_IdentityBody_StillVary(string? accept)
    {
        // The compressed entry exists first: a client that asks for none must not get it.
        using (await SendAsync(_client, List, "br"))
        {
        }

        using var response = await SendAsync(_client, List, accept);

        Assert.Null(EncodingOf(response));
        Assert.True(VariesByAcceptEncoding(response));
        Assert.Equal(Body, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task CachedHit_ServedAsStored_NotCompressedAgain()
    {
        using var miss = await SendAsync(_client, List, "br");
        var stored = await miss.Content.ReadAsByteArrayAsync();
        using var hit = await SendAsync(_client, List, "br");
        using var otherHeader = await SendAsync(_client, List, "gzip, br");

        Assert.Equal(CacheStatus.Miss, StatusOf(miss));
        Assert.Equal(CacheStatus.Hit, StatusOf(hit));
        Assert.Equal(CacheStatus.Hit, StatusOf(otherHeader));
        Assert.Equal("br", EncodingOf(hit));
        Assert.True(VariesByAcceptEncoding(hit));
        Assert.Equal(stored, await hit.Content.ReadAsByteArrayAsync());
        Assert.Equal(stored, await otherHeader.Content.ReadAsByteArrayAsync());
        Assert.Equal(["br"], _compressed);
        Assert.Single(_strapi.Requests);
    }

    [Fact]
    public async Task EachCoding_ItsOwnEntry_KeptCompressedInRedis()
    {
        foreach (var accept in new[] { "br", "gzip", "identity" })
        {
            using var miss = await SendAsync(_client, List, accept);
            using var hit = await SendAsync(_client, List, accept);
            Assert.Equal(CacheStatus.Miss, StatusOf(miss));
            Assert.Equal(CacheStatus.Hit, StatusOf(hit));
            Assert.Equal(Body, await DecodedTextAsync(hit));
        }

        var sizes = await EntrySizesAsync();
        Assert.Equal(3, sizes.Count);
        Assert.Equal(3, _strapi.Requests.Count);
        Assert.Equal(["br", "gzip"], _compressed);
        var identity = Assert.Single(sizes, entry => entry.Key.Contains(CodingKey("identity"), StringComparison.Ordinal)).Value;
        foreach (var coding in new[] { "br", "gzip" })
        {
            var size = Assert.Single(sizes, entry => entry.Key.Contains(CodingKey(coding), StringComparison.Ordinal)).Value;
            Assert.True(size < identity / 2, $"{coding} entry {size} bytes, identity {identity}");
        }
    }

    [Fact]
    public async Task StoredAnswer_CompressedAtTheStoredLevel_OthersAtTheFasterOne()
    {
        await using var gateway = new GatewayHost(_strapi.BaseUrl, _strapi.BaseUrl, _redis.Configuration, new Dictionary<string, string?>
        {
            ["ResponseCache:Enabled"] = "true",
            ["Compression:StoredBrotliQuality"] = "11",
            ["Compression:BrotliQuality"] = "0",
        });
        using var client = gateway.CreateGatewayClient();

        // The same body from Strapi: on a cached route, and on the geo route, which is not cached.
        using var stored = await SendAsync(client, List, "br");
        using var passed = await SendAsync(client, "/api/v1/invoices", "br");

        Assert.Equal(CacheStatus.Miss, StatusOf(stored));
        Assert.Null(StatusOf(passed));
        Assert.Equal(Body, await DecodedTextAsync(stored));
        Assert.Equal(Body, await DecodedTextAsync(passed));
        var (storedBytes, passedBytes) = ((await stored.Content.ReadAsByteArrayAsync()).Length, (await passed.Content.ReadAsByteArrayAsync()).Length);
        Assert.True(storedBytes < passedBytes * 0.8, $"kept: {storedBytes} bytes, passed on: {passedBytes}");
    }

    [Fact]
    public async Task Head_HeadersOfTheCodingNoBody()
    {
        using var get = await SendAsync(_client, List, "br");
        var length = (await get.Content.ReadAsByteArrayAsync()).Length;
        using var head = await SendAsync(_client, List, "br", HttpMethod.Head);
        using var again = await SendAsync(_client, List, "br", HttpMethod.Head);

        foreach (var response in new[] { head, again })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("br", EncodingOf(response));
            Assert.True(VariesByAcceptEncoding(response));
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        }

        Assert.Equal(CacheStatus.Hit, StatusOf(again));
        Assert.Equal(length, again.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task ProblemAnswer_Compressed()
    {
        await _strapi.DisposeAsync();

        using var response = await SendAsync(_client, List, "gzip");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("gzip", EncodingOf(response));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"status\":502", await DecodedTextAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TinyBodyAndOtherTypes_SentAsTheyAre()
    {
        _strapi.Handler = context =>
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            context.Response.ContentLength = 11;
            return context.Response.WriteAsync("""{"data":[]}""");
        };
        using var tiny = await SendAsync(_client, "/api/v2/customers/en-us", "br");
        _strapi.Respond(200, new string('x', 4096), "image/png");
        using var image = await SendAsync(_client, "/api/v2/revenues/en-us", "br");
        _strapi.Respond(200, "<html>" + new string('x', 4096) + "</html>", "text/html; charset=utf-8");
        using var page = await SendAsync(_client, "/dashboard", "br");

        Assert.Null(EncodingOf(tiny));
        Assert.Equal("""{"data":[]}""", await tiny.Content.ReadAsStringAsync());
        Assert.Null(EncodingOf(image));
        Assert.Null(EncodingOf(page));
        Assert.Empty(_compressed);
    }

    [Fact]
    public async Task GatewaysOwnJson_NotCompressed()
    {
        using var health = await SendAsync(_client, "/readyz", "br");

        Assert.Null(EncodingOf(health));
        Assert.Empty(_compressed);
    }

    private static string CodingKey(string coding) => $"coding={coding}\u001e";

    private async Task<Dictionary<string, long>> EntrySizesAsync()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration + ",allowAdmin=true");
        var sizes = new Dictionary<string, long>();
        var database = new ResponseCacheOptions().Database; // the cache's own database (its default: these hosts leave it)
        await foreach (var key in redis.GetServers()[0].KeysAsync(database))
        {
            // The output cache's entries (its tag sets are sorted sets); the gateway's own keys are not.
            if (key.ToString().StartsWith("__MSOCV_", StringComparison.Ordinal) && await redis.GetDatabase(database).KeyTypeAsync(key) == RedisType.String)
            {
                sizes[key.ToString()] = await redis.GetDatabase(database).StringLengthAsync(key);
            }
        }

        return sizes;
    }

    private static MeterListener CompressionCounter(GatewayHost gateway, ConcurrentQueue<string> compressed)
    {
        var factory = gateway.Services.GetRequiredService<IMeterFactory>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "gateway.compression.responses" && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var (key, value) in tags)
            {
                if (key == "encoding")
                {
                    compressed.Enqueue((string)value!);
                }
            }
        });
        listener.Start();
        return listener;
    }

    private static string? StatusOf(HttpResponseMessage response)
        => response.Headers.TryGetValues(CacheStatus.HeaderName, out var values) ? string.Join(", ", values) : null;
}
