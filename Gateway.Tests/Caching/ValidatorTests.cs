using System.Net;
using System.Net.Http.Headers;
using Gateway.Caching;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Caching;

/// <summary>
/// Validators (issue 25): an <c>ETag</c> on every cached answer and every JSON answer from Strapi, <c>304</c> without a
/// body on a matching <c>If-None-Match</c>, from the cache without asking Strapi when the answer is cached. Stand-in
/// Strapi (requests counted), real Redis.
/// </summary>
public sealed class ValidatorTests : IAsyncLifetime
{
    private const string List = "/api/v2/invoices/en-us?sort=id:asc";
    private const string Document = "/api/v2/invoices/en-us/s2r77wbev8x1yjgxloln2517";
    private RedisServer _redis = null!;
    private StubUpstream _strapi = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _strapi = await StubUpstream.StartAsync();
        _strapi.Respond(200, StrapiShapes.List());
    }

    public async Task DisposeAsync()
    {
        await _strapi.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task CachedList_IfNoneMatchCurrentETag_304NoBodyNoStrapiRead()
    {
        await using var gateway = Gateway(cache: true);
        using var client = gateway.CreateGatewayClient();
        using var first = await client.GetAsync(List);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);

        using var revalidated = await ConditionalGetAsync(client, List, etag);

        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        Assert.Empty(await revalidated.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, revalidated.Headers.ETag);
        Assert.Equal(CacheStatus.Hit, StatusOf(revalidated));
        Assert.Single(_strapi.Requests);
    }

    [Fact]
    public async Task ChangedBody_NewETag_200WithTheNewBody()
    {
        await using var gateway = Gateway(cache: true);
        using var client = gateway.CreateGatewayClient();
        using var first = await client.GetAsync(List);
        var changed = StrapiShapes.List().Replace("15795", "16000", StringComparison.Ordinal);
        _strapi.Respond(200, changed);
        using (var put = await client.PutAsync(Document, new StringContent("""{"amount":16000}""", null, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using var after = await ConditionalGetAsync(client, List, first.Headers.ETag!);

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(changed, await after.Content.ReadAsStringAsync());
        Assert.NotNull(after.Headers.ETag);
        Assert.NotEqual(first.Headers.ETag, after.Headers.ETag);
    }

    [Fact]
    public async Task SameBody_SameETag_AcrossRoutesAndMisses()
    {
        await using var gateway = Gateway(cache: true);
        using var client = gateway.CreateGatewayClient();
        using var cached = await client.GetAsync(List);
        await using var uncachedGateway = Gateway(cache: false);
        using var uncachedClient = uncachedGateway.CreateGatewayClient();
        using var uncached = await uncachedClient.GetAsync(List);

        Assert.NotNull(cached.Headers.ETag);
        Assert.Equal(cached.Headers.ETag, uncached.Headers.ETag);
    }

    [Fact]
    public async Task UncachedRoute_JsonAnswerHasETag_MatchGets304()
    {
        await using var gateway = Gateway(cache: false);
        using var client = gateway.CreateGatewayClient();
        using var first = await client.GetAsync(List);
        Assert.NotNull(first.Headers.ETag);
        Assert.False(first.Headers.Contains(CacheStatus.HeaderName));

        using var revalidated = await ConditionalGetAsync(client, List, first.Headers.ETag);
        using var other = await ConditionalGetAsync(client, List, new EntityTagHeaderValue("\"another\""));

        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        Assert.Empty(await revalidated.Content.ReadAsByteArrayAsync());
        Assert.Equal(first.Headers.ETag, revalidated.Headers.ETag);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(StrapiShapes.List(), await other.Content.ReadAsStringAsync());
        Assert.Equal(3, _strapi.Requests.Count); // not cached: Strapi is asked each time, the body is not sent again
    }

    [Fact]
    public async Task AnswerOverMaxBodyBytes_PassedWholeWithoutETag()
    {
        var large = "{\"data\":[" + string.Join(',', Enumerable.Range(1, 40).Select(i => StrapiShapes.Item(id: i))) + "]}";
        Assert.True(large.Length > 4096);
        _strapi.Handler = async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(context.Request.Query.ContainsKey("sort") ? large : StrapiShapes.List());
        };
        await using var gateway = Gateway(cache: false, maxBodyBytes: 4096);
        using var client = gateway.CreateGatewayClient();

        using var response = await client.GetAsync(List);
        using var small = await client.GetAsync("/api/v2/invoices/en-us");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(large, await response.Content.ReadAsStringAsync());
        Assert.Null(response.Headers.ETag);
        Assert.NotNull(small.Headers.ETag); // under the bound, the same route's answer has one
    }

    [Fact]
    public async Task ErrorAnswer_NoETag()
    {
        await using var gateway = Gateway(cache: true);
        using var client = gateway.CreateGatewayClient();
        using var found = await client.GetAsync(Document);
        _strapi.Respond(404, StrapiShapes.NotFound());

        using var response = await client.GetAsync(Document + "x");

        Assert.NotNull(found.Headers.ETag);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(response.Headers.ETag);
        Assert.Equal(StrapiShapes.NotFound(), await response.Content.ReadAsStringAsync());
    }

    private GatewayHost Gateway(bool cache, long? maxBodyBytes = null)
    {
        var settings = new Dictionary<string, string?> { ["ResponseCache:Enabled"] = cache ? "true" : "false" };
        if (maxBodyBytes is { } bound)
        {
            settings["ResponseCache:MaxBodyBytes"] = bound.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return new GatewayHost(_strapi.BaseUrl, _strapi.BaseUrl, _redis.Configuration, settings);
    }

    [Fact]
    public async Task EachContentCoding_ItsOwnETag_AnotherCodingsTagDoesNotMatch()
    {
        await using var gateway = Gateway(cache: true);
        using var client = gateway.CreateGatewayClient();
        using var identity = await GetWithCodingAsync(client, List, "identity", null);
        using var brotli = await GetWithCodingAsync(client, List, "br", null);
        Assert.Equal("br", Assert.Single(brotli.Content.Headers.ContentEncoding));
        Assert.NotNull(identity.Headers.ETag);
        Assert.NotNull(brotli.Headers.ETag);

        // A strong validator names one representation: the compressed bytes are not the identity ones.
        Assert.NotEqual(identity.Headers.ETag, brotli.Headers.ETag);
        using var crossed = await GetWithCodingAsync(client, List, "br", identity.Headers.ETag);
        using var matched = await GetWithCodingAsync(client, List, "br", brotli.Headers.ETag);

        Assert.Equal(HttpStatusCode.OK, crossed.StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, matched.StatusCode);
    }

    private static async Task<HttpResponseMessage> GetWithCodingAsync(HttpClient client, string path, string coding, EntityTagHeaderValue? etag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", coding);
        if (etag is not null)
        {
            request.Headers.IfNoneMatch.Add(etag);
        }

        return await client.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> ConditionalGetAsync(HttpClient client, string path, EntityTagHeaderValue etag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.IfNoneMatch.Add(etag);
        return await client.SendAsync(request);
    }

    private static string? StatusOf(HttpResponseMessage response)
        => response.Headers.TryGetValues(CacheStatus.HeaderName, out var values) ? string.Join(", ", values) : null;
}
