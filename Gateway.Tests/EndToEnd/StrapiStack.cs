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

    public async Task InitializeAsync()
    {
        var strapi = StrapiServer.StartAsync(SeedInvoices);
        Redis = await RedisServer.StartAsync();
        Frontend = await StubUpstream.StartAsync();
        Strapi = await strapi;
        Direct = Strapi.CreateDirectClient();
        _gateway = new GatewayHost(Strapi.BaseUrl, Frontend.BaseUrl, Redis.Configuration, new Dictionary<string, string?>
        {
            ["Strapi:Token"] = Strapi.Token,
            ["Currency:RateApi:BaseUrl"] = $"http://127.0.0.1:{FreePort.Next()}/",

            // The test client stands in for a trusted proxy, so geo cases can say who the client is.
            ["Geo:TrustedProxies:0"] = "127.0.0.1",
        }, accessControl: true);
        Anonymous = _gateway.CreateGatewayClient();
        Gateway = await SignedInClientAsync(StrapiServer.EditorEmail, StrapiServer.EditorPassword);
        Reader = await SignedInClientAsync(StrapiServer.ReaderEmail, StrapiServer.ReaderPassword);
    }

    /// <summary>A new client of the gateway carrying the session cookie that <c>POST /auth/login</c> set.</summary>
    public async Task<HttpClient> SignedInClientAsync(string identifier, string password)
    {
        var cookie = await SignInAsync(_gateway!.CreateGatewayClient(), identifier, password);
        var client = _gateway.CreateGatewayClient();
        client.DefaultRequestHeaders.Add("Cookie", cookie);
        return client;
    }

    /// <summary>Signs in through the gateway; returns the session cookie as a <c>Cookie</c> header value (<c>name=value</c>).</summary>
    public static async Task<string> SignInAsync(HttpClient client, string identifier, string password)
    {
        using var response = await client.PostAsJsonAsync("/auth/login", new { identifier, password });
        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
        return response.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
    }

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
