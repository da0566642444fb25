using System.Diagnostics;
using System.Net;
using Gateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace Gateway.Tests.Geo;

/// <summary>
/// /api/v1/invoices through the real gateway, with the real country database (scripts/geo-install), a stand-in geo API
/// and Strapi, and a real Redis. The test client connects from 127.0.0.1: trusted as a proxy only where a test says so.
/// </summary>
public sealed class GeoRerouteTests : IAsyncLifetime
{
    private const string France = "51.158.36.186";
    private const string UnitedStates = "8.8.8.8";
    private static readonly string Database = RepositoryPaths.File("geo/node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb");
    private static readonly string Ipv6OnlyDatabase = RepositoryPaths.File("geo/node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country-ipv6.mmdb");

    private readonly List<GatewayHost> _gateways = [];
    private readonly string _directory = Directory.CreateTempSubdirectory("geo-").FullName;
    private RedisServer _redis = null!;
    private StubUpstream _strapi = null!;
    private StubUpstream _geoApi = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Database), "the country database is not installed: run ./test (it runs scripts/geo-install)");
        _redis = await RedisServer.StartAsync();
        _strapi = await StubUpstream.StartAsync();
        _strapi.Respond(200, StrapiShapes.List());
        _geoApi = await StubUpstream.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }

        await _strapi.DisposeAsync();
        await _geoApi.DisposeAsync();
        await _redis.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData(France)]
    [InlineData("::ffff:" + France)]
    public async Task FrenchClientViaTrustedProxy_302ToEurView_NothingReachesStrapi(string forwardedFor)
    {
        var client = Gateway(trustLoopback: true);

        using var response = await GetAsync(client, "/api/v1/invoices?page=2", forwardedFor);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("/api/v2/invoices/fr?page=2", response.Headers.Location?.OriginalString);
        Assert.Equal("private", response.Headers.CacheControl?.ToString());
        Assert.Empty(_strapi.Requests);
    }

    [Fact]
    public async Task ProxyChain_AllHopsTrusted_FirstEntryIsTheClient()
    {
        var client = Gateway(trustLoopback: true, settings: new() { ["Geo:TrustedProxies:1"] = "203.0.113.0/24" });

        using var response = await GetAsync(client, "/api/v1/invoices", France + ", 203.0.113.9");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
    }

    [Fact]
    public async Task ProxyChain_UntrustedHop_WhatItClaimsIsIgnored()
    {
        // 203.0.113.9 is not trusted: it is the client, and the "French" address it put before itself is not believed.
        var client = Gateway(trustLoopback: true);

        using var response = await GetAsync(client, "/api/v1/invoices", France + ", 203.0.113.9");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(_strapi.Requests);
    }

    [Fact]
    public async Task OtherClient_GetsStrapisEnvelope_Private()
    {
        var client = Gateway(trustLoopback: true);

        using var response = await GetAsync(client, "/api/v1/invoices", UnitedStates);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(StrapiShapes.List(), await response.Content.ReadAsStringAsync());
        Assert.Equal("private", response.Headers.CacheControl?.ToString());
        Assert.Equal("/api/invoices", _strapi.OnlyRequest().Target);
        Assert.Equal($"Bearer {GatewayHost.Token}", _strapi.OnlyRequest().Header("Authorization"));
    }

    [Fact]
    public async Task ForgedForwardedFor_FromUntrustedClient_Ignored()
    {
        var client = Gateway(trustLoopback: false);

        using var response = await GetAsync(client, "/api/v1/invoices", France);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(_strapi.Requests);
    }

    [Fact]
    public async Task ForgedCountryHeader_FromUntrustedClient_Ignored()
    {
        var client = Gateway(trustLoopback: false, settings: new() { ["Geo:CountryHeader"] = "CF-IPCountry" });

        using var response = await GetAsync(client, "/api/v1/invoices", null, ("CF-IPCountry", "FR"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(_strapi.Requests);
    }

    [Theory]
    [InlineData("FR", UnitedStates, HttpStatusCode.Found)]
    [InlineData("fr", UnitedStates, HttpStatusCode.Found)]
    [InlineData("US", France, HttpStatusCode.OK)]
    [InlineData("XX", France, HttpStatusCode.Found)]
    [InlineData("T1", France, HttpStatusCode.Found)]
    [InlineData("XX", UnitedStates, HttpStatusCode.OK)]
    public async Task CountryHeaderFromTrustedProxy_FirstInTheChain_UnknownFallsThrough(string header, string forwardedFor, HttpStatusCode expected)
    {
        var client = Gateway(trustLoopback: true, settings: new() { ["Geo:CountryHeader"] = "CF-IPCountry" });

        using var response = await GetAsync(client, "/api/v1/invoices", forwardedFor, ("CF-IPCountry", header));

        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData(UnitedStates)]
    [InlineData("2001:4860:4860::8888")]
    public async Task IPv4AndIPv6_ResolvedByTheDatabase(string address)
    {
        var client = Gateway(trustLoopback: true, settings: new() { ["Geo:Routes:US"] = "/us" });

        using var response = await GetAsync(client, "/api/v1/invoices", address);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("/us", response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("192.168.1.20")]
    [InlineData("::1")]
    public async Task PrivateAddress_Unknown_ForwardedWithoutAskingTheApi(string address)
    {
        _geoApi.Respond(200, """{"status":"success","countryCode":"FR"}""");
        var client = Gateway(trustLoopback: true, settings: ApiOnly());

        using var response = await GetAsync(client, "/api/v1/invoices", address);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(_geoApi.Requests);
    }

    [Fact]
    public async Task GeoApi_Answers_CachedInRedis_SharedByEveryGateway()
    {
        _geoApi.Respond(200, """{"status":"success","countryCode":"FR"}""");
        var one = Gateway(trustLoopback: true, settings: ApiOnly());
        var other = Gateway(trustLoopback: true, settings: ApiOnly());

        using var first = await GetAsync(one, "/api/v1/invoices", "203.0.113.50");
        using var second = await GetAsync(other, "/api/v1/invoices", "203.0.113.50");

        Assert.Equal(HttpStatusCode.Found, first.StatusCode);
        Assert.Equal(HttpStatusCode.Found, second.StatusCode);
        Assert.Equal("/json/203.0.113.50?fields=status,countryCode", _geoApi.OnlyRequest().Target);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration);
        Assert.Equal("FR", (string?)await redis.GetDatabase().StringGetAsync("gateway:geo:203.0.113.50"));
        Assert.Empty(_strapi.Requests);
    }

    [Fact]
    public async Task GeoApi_ReturningClient_AnsweredFromMemory_NotFromRedisOrTheApi()
    {
        _geoApi.Respond(200, """{"status":"success","countryCode":"FR"}""");
        var client = Gateway(trustLoopback: true, settings: ApiOnly());
        using (var first = await GetAsync(client, "/api/v1/invoices", "203.0.113.52"))
        {
            Assert.Equal(HttpStatusCode.Found, first.StatusCode);
        }

        // Gone from Redis: a gateway that asked Redis again would miss and ask the API a second time.
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration))
        {
            Assert.True(await redis.GetDatabase().KeyDeleteAsync("gateway:geo:203.0.113.52"));
        }

        using var again = await GetAsync(client, "/api/v1/invoices", "203.0.113.52");

        Assert.Equal(HttpStatusCode.Found, again.StatusCode);
        Assert.Single(_geoApi.Requests);
    }

    [Fact]
    public async Task GeoApi_BurstFromANewClient_AskedOnce()
    {
        _geoApi.Respond(200, """{"status":"success","countryCode":"FR"}""");
        var answer = _geoApi.Handler;
        _geoApi.Handler = async context =>
        {
            await Task.Delay(200);
            await answer(context);
        };
        var client = Gateway(trustLoopback: true, settings: ApiOnly(timeout: "00:00:05"));

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => GetAsync(client, "/api/v1/invoices", "203.0.113.53")));

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.Found, response.StatusCode));
        Assert.Single(_geoApi.Requests);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task GeoApi_Failed_LeftAloneForRetryAfter_ThenAskedAgain()
    {
        _geoApi.Respond(500, "down", "text/plain");
        var settings = ApiOnly();
        settings["Geo:ApiRetryAfter"] = "00:00:03";
        var client = Gateway(trustLoopback: true, settings: settings);

        using (var failed = await GetAsync(client, "/api/v1/invoices", "203.0.113.54"))
        {
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        }

        _geoApi.Respond(200, """{"status":"success","countryCode":"FR"}""");
        using (var resting = await GetAsync(client, "/api/v1/invoices", "203.0.113.55"))
        {
            Assert.Equal(HttpStatusCode.OK, resting.StatusCode);
        }

        Assert.Single(_geoApi.Requests);

        var deadline = DateTime.UtcNow.AddSeconds(15);
        HttpStatusCode status;
        do
        {
            await Task.Delay(250);
            using var response = await GetAsync(client, "/api/v1/invoices", "203.0.113.55");
            status = response.StatusCode;
        }
        while (status != HttpStatusCode.Found && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.Found, status);
        Assert.Equal(2, _geoApi.Requests.Count);
    }

    public static TheoryData<string> ApiFaults() => new() { "500", "garbage", "fail-status", "hang" };

    [Theory]
    [MemberData(nameof(ApiFaults))]
    public async Task GeoApi_FailsOrHangs_DefaultRouteWithinItsTimeout(string fault)
    {
        switch (fault)
        {
            case "500": _geoApi.Respond(500, "oops", "text/plain"); break;
            case "garbage": _geoApi.Respond(200, "{not json", "application/json"); break;
            case "fail-status": _geoApi.Respond(200, """{"status":"fail","message":"reserved range"}"""); break;
            default: _geoApi.Hang(); break;
        }

        var client = Gateway(trustLoopback: true, settings: ApiOnly());
        var clock = Stopwatch.StartNew();

        using var response = await GetAsync(client, "/api/v1/invoices", "203.0.113.51");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(_strapi.Requests);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the request waited on the geo API past its timeout");
    }

    [Fact]
    public async Task DatabaseReplacedAtRunTime_NewOneUsedWithoutRestart()
    {
        var path = Path.Combine(_directory, "country.mmdb");
        File.Copy(Database, path);
        var client = Gateway(trustLoopback: true, settings: new() { ["Geo:DatabasePath"] = path });
        using (var before = await GetAsync(client, "/api/v1/invoices", France))
        {
            Assert.Equal(HttpStatusCode.Found, before.StatusCode);
        }

        // Replaced the way geoipupdate does it: a new file renamed over the old one. This one holds IPv6 ranges only,
        // so the French IPv4 client becomes unknown.
        var incoming = Path.Combine(_directory, "incoming.mmdb");
        File.Copy(Ipv6OnlyDatabase, incoming);
        File.Move(incoming, path, overwrite: true);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpStatusCode status;
        do
        {
            await Task.Delay(100);
            using var response = await GetAsync(client, "/api/v1/invoices", France);
            status = response.StatusCode;
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    private Dictionary<string, string?> ApiOnly(string timeout = "00:00:00.300") => new()
    {
        ["Geo:DatabasePath"] = "",
        ["Geo:ApiBaseUrl"] = _geoApi.BaseUrl.AbsoluteUri,
        ["Geo:ApiTimeout"] = timeout,
    };

    private HttpClient Gateway(bool trustLoopback, Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        settings["Geo:DatabasePath"] = settings.GetValueOrDefault("Geo:DatabasePath", Database);
        if (trustLoopback)
        {
            settings["Geo:TrustedProxies:0"] = "127.0.0.1";
        }

        var gateway = new GatewayHost(_strapi.BaseUrl, _strapi.BaseUrl, _redis.Configuration, settings);
        _gateways.Add(gateway);
        return gateway.CreateGatewayClient();
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string? forwardedFor, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return await client.SendAsync(request);
    }
}
