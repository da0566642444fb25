using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.EndToEnd;

/// <summary>
/// One test's gateway in front of the dashboard: access control on (yarp.json's policies as shipped), the collection's
/// real Strapi, a Redis of its own (so sign-in counters, lock-outs and sessions start empty) and the frontend stand-in
/// (testing/frontend/server.mjs) as <c>Frontend:BaseUrl</c>, reading that Strapi with its token.
/// </summary>
public sealed class DashboardGateway : IAsyncDisposable
{
    private DashboardGateway(RedisServer redis, FrontendStandIn frontend, GatewayHost host)
    {
        Redis = redis;
        Frontend = frontend;
        Host = host;
        Client = host.CreateGatewayClient();
    }

    public RedisServer Redis { get; }

    public FrontendStandIn Frontend { get; }

    public GatewayHost Host { get; }

    /// <summary>A client of the gateway: no cookies kept, no redirects followed.</summary>
    public HttpClient Client { get; }

    /// <summary>The gateway's origin, without a trailing slash (what a browser script takes as BASE_URL).</summary>
    public string Origin => Host.Address.GetLeftPart(UriPartial.Authority);

    /// <summary>
    /// Starts the stand-in, a Redis and the gateway. <paramref name="settings"/> are layered on; <paramref name="configure"/>
    /// sees the host before it starts (early settings).
    /// </summary>
    public static async Task<DashboardGateway> StartAsync(
        StrapiStack stack, IReadOnlyDictionary<string, string?>? settings = null, Action<GatewayHost>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(stack);

        var redis = await RedisServer.StartAsync();
        FrontendStandIn? frontend = null;
        GatewayHost? host = null;
        try
        {
            frontend = await FrontendStandIn.StartAsync(stack.Strapi.BaseUrl, stack.Strapi.Token);
            var all = new Dictionary<string, string?>
            {
                ["Strapi:Token"] = stack.Strapi.Token,
                ["Currency:RateApi:BaseUrl"] = $"http://127.0.0.1:{FreePort.Next()}/",
            };
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                all[key] = value;
            }

            host = new GatewayHost(stack.Strapi.BaseUrl, frontend.BaseUrl, redis.Configuration, all, accessControl: true);
            configure?.Invoke(host);
            return new DashboardGateway(redis, frontend, host);
        }
        catch
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }

            if (frontend is not null)
            {
                await frontend.DisposeAsync();
            }

            await redis.DisposeAsync();
            throw;
        }
    }

    /// <summary>Signs in with JSON (the API's way); returns the session cookie as <c>name=value</c>.</summary>
    public Task<string> SignInAsync(string identifier, string password) => StrapiStack.SignInAsync(Client, identifier, password);

    /// <summary>The sign-in page's form as a browser posts it (<c>application/x-www-form-urlencoded</c>), from <paramref name="origin"/>.</summary>
    public static HttpRequestMessage FormSignIn(string origin, string identifier, string password, string returnUrl)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/auth/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["returnUrl"] = returnUrl,
                ["identifier"] = identifier,
                ["password"] = password,
            }),
        };
        request.Headers.Add("Origin", origin);
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        await Frontend.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
