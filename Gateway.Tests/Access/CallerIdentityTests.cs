using System.Net;
using System.Security.Claims;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Access;

/// <summary>
/// Issue 29: a request is authenticated only where the caller matters. An open Strapi route, health and the like treat
/// every caller as anonymous (no credentials read); routes with a policy, the frontend's open routes (its identity
/// headers) and <c>/auth/me</c> still authenticate. Counted by the claims transformation, which ASP.NET Core's
/// authentication service runs after each successful authentication, whatever the scheme. The caller signs in with the
/// admin key (which satisfies <c>reader</c>).
/// </summary>
public sealed class CallerIdentityTests : IAsyncLifetime
{
    private readonly CountingTransformation _authenticated = new();
    private RedisServer _redis = null!;
    private StubUpstream _strapi = null!;
    private StubUpstream _frontend = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _strapi = await StubUpstream.StartAsync();
        _strapi.Respond(200, StrapiShapes.List());
        _frontend = await StubUpstream.StartAsync();
        _gateway = new GatewayHost(_strapi.BaseUrl, _frontend.BaseUrl, _redis.Configuration, new Dictionary<string, string?>
        {
            ["Redirects:AdminKey"] = GatewayHost.AdminKey,
            ["ReverseProxy:Routes:invoices-list:AuthorizationPolicy"] = "anonymous",
            ["ReverseProxy:Routes:welcome:ClusterId"] = "frontend",
            ["ReverseProxy:Routes:welcome:AuthorizationPolicy"] = "anonymous",
            ["ReverseProxy:Routes:welcome:Order"] = "900",
            ["ReverseProxy:Routes:welcome:Match:Path"] = "/welcome",
        }, accessControl: true)
        {
            ExtraServices = services => services.AddSingleton<IClaimsTransformation>(_authenticated),
        };
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
    public async Task OpenStrapiRouteAndHealth_CallerNotAuthenticated()
    {
        using var open = await SignedInGetAsync("/api/v2/invoices/en-us");
        using var ready = await SignedInGetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(0, _authenticated.Count);
    }

    [Fact]
    public async Task RouteWithAPolicy_OpenFrontendRoute_AuthMe_CallerAuthenticated()
    {
        using var closed = await SignedInGetAsync("/api/v2/customers/en-us");
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        Assert.Equal(1, _authenticated.Count);

        using var welcome = await SignedInGetAsync("/welcome");
        Assert.Equal(HttpStatusCode.OK, welcome.StatusCode);
        Assert.Equal(2, _authenticated.Count);
        var forwarded = _frontend.Requests.Single();
        Assert.True(forwarded.Headers.ContainsKey("X-Forwarded-Roles"), string.Join(", ", forwarded.Headers.Keys)); // who the caller is, for the frontend

        using var me = await SignedInGetAsync("/auth/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(3, _authenticated.Count);
    }

    [Fact]
    public async Task OpenStrapiRoute_NoCredentials_StillAnswered()
    {
        using var open = await _client.GetAsync("/api/v2/invoices/en-us");
        using var closed = await _client.GetAsync("/api/v2/customers/en-us");

        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        await ProblemAssert.IsProblemAsync(closed, HttpStatusCode.Unauthorized);
    }

    private async Task<HttpResponseMessage> SignedInGetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Admin-Key", GatewayHost.AdminKey);
        return await _client.SendAsync(request);
    }

    private sealed class CountingTransformation : IClaimsTransformation
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
        {
            Interlocked.Increment(ref _count);
            return Task.FromResult(principal);
        }
    }
}
