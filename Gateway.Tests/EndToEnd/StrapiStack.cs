using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.EndToEnd;

/// <summary>
/// The gateway in front of the repository's real Strapi and a real Redis, shared by the whole end-to-end collection
/// (its tests run one after another, so they may create and delete documents).
/// </summary>
public sealed class StrapiStack : IAsyncLifetime
{
    /// <summary>More than one default page (25) and more than one full page (100): paging has something to do.</summary>
    public const int SeedInvoices = 230;

    private GatewayHost? _gateway;

    public StrapiServer Strapi { get; private set; } = null!;

    public RedisServer Redis { get; private set; } = null!;

    /// <summary>A client of the gateway.</summary>
    public HttpClient Gateway { get; private set; } = null!;

    /// <summary>A client of Strapi itself, with the token.</summary>
    public HttpClient Direct { get; private set; } = null!;

    public StubUpstream Frontend { get; private set; } = null!;

    /// <summary>The secret Strapi's webhooks carry to the gateway.</summary>
    public string WebhookSecret { get; } = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    /// <summary>The gateway's settings: the response cache on, Strapi's webhooks accepted.</summary>
    public Dictionary<string, string?> GatewaySettings { get; private set; } = [];

    public async Task InitializeAsync()
    {
        // The gateway starts first, on Strapi's port-to-be, so Strapi can be given the gateway's webhook URL.
        Redis = await RedisServer.StartAsync();
        Frontend = await StubUpstream.StartAsync();
        var strapiPort = FreePort.Next();
        var token = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        GatewaySettings = new Dictionary<string, string?>
        {
            ["Strapi:Token"] = token,
            ["Currency:RateApi:BaseUrl"] = $"http://127.0.0.1:{FreePort.Next()}/",

            // The test client stands in for a trusted proxy, so geo cases can say who the client is.
            ["Geo:TrustedProxies:0"] = "127.0.0.1",
            ["ResponseCache:Enabled"] = "true",
            ["ResponseCache:WebhookSecret"] = WebhookSecret,
        };
        var strapiUrl = new Uri($"http://127.0.0.1:{strapiPort}/");
        _gateway = new GatewayHost(strapiUrl, Frontend.BaseUrl, Redis.Configuration, GatewaySettings);
        Gateway = _gateway.CreateGatewayClient();

        Strapi = await StrapiServer.StartAsync(SeedInvoices, strapiPort, token, new Dictionary<string, string>
        {
            ["GATEWAY_WEBHOOK_URL"] = new Uri(_gateway.Address, global::Gateway.Caching.StrapiWebhookEndpoint.Path).AbsoluteUri,
            ["GATEWAY_WEBHOOK_SECRET"] = WebhookSecret,
        });
        Direct = Strapi.CreateDirectClient();
    }

    /// <summary>Another replica of the gateway: same Strapi, same Redis, same settings.</summary>
    public GatewayHost Replica() => new(Strapi.BaseUrl, Frontend.BaseUrl, Redis.Configuration, GatewaySettings);

    public async Task DisposeAsync()
    {
        Gateway?.Dispose();
        Direct?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (Strapi is not null)
        {
            await Strapi.DisposeAsync();
        }

        if (Frontend is not null)
        {
            await Frontend.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class StrapiCollection : ICollectionFixture<StrapiStack>
{
    public const string Name = "real Strapi";
}
