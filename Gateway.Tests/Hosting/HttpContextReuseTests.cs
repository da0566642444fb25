using System.Net;
using Gateway.Caching;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Hosting;

/// <summary>
/// Issue 29: Kestrel reuses a connection's <see cref="HttpContext"/> from one request to the next, unless an
/// <see cref="IHttpContextAccessor"/> is registered (ASP.NET Core then makes a new one per request, and sets an async local
/// for each). The response cache finds its request without one (<c>CacheRequest</c>); this shows the reuse holds across
/// health checks and cached reads, a miss and a hit, on one keep-alive connection.
/// </summary>
public sealed class HttpContextReuseTests : IAsyncLifetime
{
    private const string List = "/api/v2/invoices/en-us?sort=id:asc";
    private readonly List<HttpContext> _seen = [];
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
        })
        {
            ExtraServices = services => services.AddSingleton<IStartupFilter>(new Recorder(_seen)),
        };
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
    public async Task OneConnection_OneHttpContext_ThroughHealthChecksAndCachedReads()
    {
        var statuses = new List<string?>();
        foreach (var path in new[] { "/healthz", List, List, "/healthz", List })
        {
            using var response = await _client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            if (path == List)
            {
                statuses.Add(response.Headers.TryGetValues(CacheStatus.HeaderName, out var values) ? values.Single() : null);
                Assert.Equal(StrapiShapes.List(), await response.Content.ReadAsStringAsync());
            }
        }

        Assert.Equal([CacheStatus.Miss, CacheStatus.Hit, CacheStatus.Hit], statuses);
        Assert.Single(_strapi.Requests);
        lock (_seen)
        {
            Assert.Equal(5, _seen.Count);
            Assert.All(_seen, context => Assert.Same(_seen[0], context));
        }
    }

    /// <summary>Records each request's <see cref="HttpContext"/> object, first in the pipeline.</summary>
    private sealed class Recorder(List<HttpContext> seen) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, following) =>
            {
                lock (seen)
                {
                    seen.Add(context);
                }

                return following(context);
            });
            next(app);
        };
    }
}
