using System.Net.Http.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.EndToEnd;

/// <summary>
/// The gateway in front of the repository's real Strapi and a real Redis, shared by the whole end-to-end collection
/// (its tests run one after another, so they may create and delete documents). Access control is on, as yarp.json
/// says: <see cref="Gateway"/> is signed in as the demo editor (session cookie), <see cref="Reader"/> as the demo
/// reader, <see cref="Anonymous"/> not at all.
/// </summary>
public sealed class StrapiStack : IAsyncLifetime
{
    /// <summary>More than one default page (25) and more than one full page (100): paging has something to do.</summary>
    public const int SeedInvoices = 230;

    private GatewayHost? _gateway;

    public StrapiServer Strapi { get; private set; } = null!;

    public RedisServer Redis { get; private set; } = null!;

    /// <summary>A client of the gateway, signed in as the demo editor.</summary>
    public HttpClient Gateway { get; private set; } = null!;

    /// <summary>A client of the gateway, signed in as the demo reader.</summary>
    public HttpClient Reader { get; private set; } = null!;

    /// <summary>A client of the gateway that is not signed in.</summary>
    public HttpClient Anonymous { get; private set; } = null!;

    public GatewayHost Host => _gateway!;

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

            // The sessions' periodic re-check reads users from Strapi, which tests counting what reaches Strapi would
            // see; the lifecycle hook tells this gateway of changes. UserChangeEndToEndTests sets its own interval.
            ["Access:Session:RecheckInterval"] = "1.00:00:00",
        };
        var strapiUrl = new Uri($"http://127.0.0.1:{strapiPort}/");
        _gateway = new GatewayHost(strapiUrl, Frontend.BaseUrl, Redis.Configuration, GatewaySettings, accessControl: true);
        Anonymous = _gateway.CreateGatewayClient();

        Strapi = await StrapiServer.StartAsync(SeedInvoices, strapiPort, token, new Dictionary<string, string>
        {
            ["GATEWAY_WEBHOOK_URL"] = new Uri(_gateway.Address, global::Gateway.Caching.StrapiWebhookEndpoint.Path).AbsoluteUri,
            ["GATEWAY_WEBHOOK_SECRET"] = WebhookSecret,
        });
        Direct = Strapi.CreateDirectClient();
        EditorCookie = await SignInAsync(_gateway.CreateGatewayClient(), StrapiServer.EditorEmail, StrapiServer.EditorPassword);
        Gateway = SignedIn(_gateway, EditorCookie);
        Reader = await SignedInClientAsync(StrapiServer.ReaderEmail, StrapiServer.ReaderPassword);
    }

    /// <summary>The demo editor's session cookie (<c>name=value</c>): every replica sharing this Redis accepts it.</summary>
    public string EditorCookie { get; private set; } = null!;

    /// <summary>A client of <paramref name="host"/> (this stack's gateway or a replica) sending <paramref name="cookie"/>.</summary>
    public static HttpClient SignedIn(GatewayHost host, string cookie)
    {
        var client = host.CreateGatewayClient();
        client.DefaultRequestHeaders.Add("Cookie", cookie);
        return client;
    }

    /// <summary>A new client of the gateway carrying the session cookie that <c>POST /auth/login</c> set.</summary>
    public async Task<HttpClient> SignedInClientAsync(string identifier, string password)
    {
        var cookie = await SignInAsync(_gateway!.CreateGatewayClient(), identifier, password);
        return SignedIn(_gateway, cookie);
    }

    /// <summary>Signs in through the gateway; returns the session cookie as a <c>Cookie</c> header value (<c>name=value</c>).</summary>
    public static async Task<string> SignInAsync(HttpClient client, string identifier, string password)
    {
        using var response = await client.PostAsJsonAsync("/auth/login", new { identifier, password });
        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
        return response.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
    }

    /// <summary>Another replica of the gateway: same Strapi, same Redis, same settings.</summary>
    public GatewayHost Replica() => new(Strapi.BaseUrl, Frontend.BaseUrl, Redis.Configuration, GatewaySettings, accessControl: true);

    public async Task DisposeAsync()
    {
        Gateway?.Dispose();
        Reader?.Dispose();
        Anonymous?.Dispose();
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
