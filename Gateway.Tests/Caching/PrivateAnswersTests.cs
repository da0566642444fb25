using System.Net;
using Gateway.Caching;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Caching;

/// <summary>
/// Issue 23: an answer that needed sign-in is <c>Cache-Control: private</c>, from Strapi, the frontend or the response cache
/// (hits too), and the marking does not stop the cache from keeping Strapi's shareable answer. Open routes are untouched.
/// Issue 25: Strapi's JSON answers carry an <c>ETag</c>, so theirs is <c>private, no-cache</c> (the browser revalidates).
/// Access control on; the caller signs in with the admin key (which satisfies <c>reader</c>).
/// </summary>
public sealed class PrivateAnswersTests : IAsyncLifetime
{
    private const string List = "/api/v2/invoices/en-us?sort=id:asc";
    private const string NextPrerendered = "s-maxage=31536000, stale-while-revalidate";
    private RedisServer _redis = null!;
    private StubUpstream _strapi = null!;
    private StubUpstream _frontend = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _strapi = await StubUpstream.StartAsync();
        _frontend = await StubUpstream.StartAsync();
        _gateway = new GatewayHost(_strapi.BaseUrl, _frontend.BaseUrl, _redis.Configuration, new Dictionary<string, string?>
        {
            ["ResponseCache:Enabled"] = "true",
            ["Redirects:AdminKey"] = GatewayHost.AdminKey,
            ["ReverseProxy:Routes:frontend:AuthorizationPolicy"] = "reader",
            ["ReverseProxy:Routes:open:ClusterId"] = "frontend",
            ["ReverseProxy:Routes:open:AuthorizationPolicy"] = "anonymous",
            ["ReverseProxy:Routes:open:Match:Path"] = "/open/{**rest}",
        }, accessControl: true);
        _client = _gateway.CreateGatewayClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _strapi.DisposeAsync();
        await _frontend.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task StrapiShareableAnswer_Stored_MissAndHitBothPrivate()
    {
        _strapi.Handler = Answer(StrapiShapes.List(), "public, max-age=60, s-maxage=600");

        using var miss = await SignedInGetAsync(List);
        using var hit = await SignedInGetAsync(List);

        Assert.Equal(CacheStatus.Miss, miss.Headers.GetValues(CacheStatus.HeaderName).Single());
        Assert.Equal(CacheStatus.Hit, hit.Headers.GetValues(CacheStatus.HeaderName).Single());
        Assert.Single(_strapi.Requests);
        Assert.Equal(StrapiShapes.List(), await hit.Content.ReadAsStringAsync());
        // Strapi's JSON answer carries the gateway's ETag (issue 25): the browser keeps it, but revalidates it each time.
        Assert.NotNull(miss.Headers.ETag);
        Assert.Equal("private, no-cache", CacheControlOf(miss));
        Assert.Equal("private, no-cache", CacheControlOf(hit));
    }

    [Fact]
    public async Task Head_MissThenHit_BothPrivate()
    {
        _strapi.Handler = Answer(StrapiShapes.List(), null);

        using var miss = await SignedInSendAsync(HttpMethod.Head, List);
        using var hit = await SignedInSendAsync(HttpMethod.Head, List);

        Assert.Equal(CacheStatus.Hit, hit.Headers.GetValues(CacheStatus.HeaderName).Single());
        Assert.Equal("private, no-cache", CacheControlOf(miss));
        Assert.Equal("private, no-cache", CacheControlOf(hit));
        Assert.Single(_strapi.Requests);
    }

    [Theory]
    [InlineData(NextPrerendered, "\"prerendered\"", "private, no-cache")]
    [InlineData(NextPrerendered, null, "private")]
    [InlineData("private, no-cache, no-store, max-age=0, must-revalidate", null, "private, no-store")]
    [InlineData(null, null, "private")]
    public async Task FrontendPageNeedingSignIn_Private(string? upstream, string? etag, string expected)
    {
        _frontend.Handler = Answer("<html>dashboard</html>", upstream, etag);

        using var response = await SignedInGetAsync("/dashboard/invoices");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, CacheControlOf(response));
    }

    [Fact]
    public async Task OpenRoute_SignedInCaller_UpstreamCacheControlAsItIs()
    {
        _frontend.Handler = Answer("<html>open</html>", NextPrerendered, "\"prerendered\"");

        using var response = await SignedInGetAsync("/open/page");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(NextPrerendered, CacheControlOf(response));
    }

    [Theory]
    [InlineData("public, max-age=60, s-maxage=600", false, "private, max-age=60")]
    [InlineData("public, max-age=60", true, "private, no-cache")]
    [InlineData("no-store", true, "private, no-store")]
    [InlineData("no-cache", false, "private, no-cache")]
    [InlineData("s-maxage=31536000, stale-while-revalidate", false, "private")]
    [InlineData("", false, "private")]
    [InlineData("not a cache-control header ,,=", false, "private")]
    public void PrivateCacheControl_Table(string upstream, bool validator, string expected)
        => Assert.Equal(expected, PrivateCacheControl.For(upstream, validator));

    private Task<HttpResponseMessage> SignedInGetAsync(string path) => SignedInSendAsync(HttpMethod.Get, path);

    private async Task<HttpResponseMessage> SignedInSendAsync(HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Admin-Key", GatewayHost.AdminKey);
        return await _client.SendAsync(request);
    }

    /// <summary>The header as the gateway sent it (HttpClient's parsed value puts the directives in its own order).</summary>
    private static string CacheControlOf(HttpResponseMessage response)
        => response.Headers.NonValidated.TryGetValues("Cache-Control", out var values) ? values.ToString() : "";

    private static Func<HttpContext, Task> Answer(string body, string? cacheControl, string? etag = null) => async context =>
    {
        if (cacheControl is not null)
        {
            context.Response.Headers.CacheControl = cacheControl;
        }

        if (etag is not null)
        {
            context.Response.Headers.ETag = etag;
        }

        context.Response.ContentType = body.StartsWith('<') ? "text/html" : "application/json; charset=utf-8";
        await context.Response.WriteAsync(body);
    };
}
