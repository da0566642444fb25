using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Hosting;

/// <summary>
/// A gateway with yarp.json's access control on, in front of stand-ins, with real Redis: the invoice create route and
/// the frontend opened (so 413, 415 and 405 are reached without signing in), a small body limit, one admin-key guess per
/// client per hour (so the second is a 429).
/// </summary>
public sealed class ProblemAcceptFixture : IAsyncLifetime
{
    public const int MaxBodyBytes = 1024;

    public RedisServer Redis { get; private set; } = null!;

    public StubUpstream Strapi { get; private set; } = null!;

    public StubUpstream Frontend { get; private set; } = null!;

    public GatewayHost Gateway { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        Strapi = await StubUpstream.StartAsync();
        Frontend = await StubUpstream.StartAsync();
        Strapi.Respond(200, StrapiShapes.List());
        Frontend.Respond(200, "<html></html>", "text/html");
        Gateway = new GatewayHost(Strapi.BaseUrl, Frontend.BaseUrl, Redis.Configuration, new Dictionary<string, string?>
        {
            ["ReverseProxy:Routes:invoices-create:AuthorizationPolicy"] = "anonymous",
            ["ReverseProxy:Routes:frontend:AuthorizationPolicy"] = "anonymous",
            ["Strapi:MaxBodyBytes"] = MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Redirects:AdminKey"] = GatewayHost.AdminKey,
            ["Access:RateLimits:AdminPerClient"] = "1",
            ["Access:RateLimits:Window"] = "01:00:00",
        }, accessControl: true);
        Client = Gateway.CreateGatewayClient();
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        await Gateway.DisposeAsync();
        await Strapi.DisposeAsync();
        await Frontend.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
