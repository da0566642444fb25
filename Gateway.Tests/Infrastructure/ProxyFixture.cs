namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A gateway in front of a stand-in Strapi and a stand-in frontend, with a real Redis beside it; shared by the
/// tests of one class, each of which sets the stand-ins' answers and clears what they recorded.
/// </summary>
public sealed class ProxyFixture : IAsyncLifetime
{
    public const int MaxBodyBytes = 4096;

    private GatewayHost? _gateway;

    public RedisServer Redis { get; private set; } = null!;

    public StubUpstream Strapi { get; private set; } = null!;

    public StubUpstream Frontend { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        Strapi = await StubUpstream.StartAsync();
        Frontend = await StubUpstream.StartAsync();
        _gateway = new GatewayHost(Strapi.BaseUrl, Frontend.BaseUrl, Redis.Configuration, new Dictionary<string, string?>
        {
            ["Strapi:MaxBodyBytes"] = MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ReverseProxy:Clusters:strapi:HttpRequest:ActivityTimeout"] = "00:00:01",
        });
        Client = _gateway.CreateGatewayClient();
    }

    /// <summary>Forgets what the stand-ins recorded and sets their default answers.</summary>
    public void Reset()
    {
        Strapi.Requests.Clear();
        Frontend.Requests.Clear();
        Strapi.Respond(200, StrapiShapes.List());
        Frontend.Respond(200, "<html>dashboard</html>", "text/html; charset=utf-8");
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        await Strapi.DisposeAsync();
        await Frontend.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
