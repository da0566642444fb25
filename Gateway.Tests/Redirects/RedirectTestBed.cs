using System.Net;
using System.Text;
using Gateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace Gateway.Tests.Redirects;

/// <summary>What the redirect tests share: a real Redis, stand-in Strapi and frontend, and gateways started on them.</summary>
#pragma warning disable CA1051, SA1401 // fields shared with the test classes, as fixtures do
public abstract class RedirectTestBed : IAsyncLifetime
{
    protected const string Prefix = "gateway:redirect:";

    /// <summary>The hashes of hit totals (path → count) and last hits (path → Unix ms), beside the table.</summary>
    public const string HitCounts = "gateway:redirect-hits";
    public const string LastHits = "gateway:redirect-lasthit";
    protected const string AdminKey = "admin-key-for-tests-0123456789abcdef";
    protected static readonly TimeSpan Within = TimeSpan.FromSeconds(1);

    protected RedisServer _redis = null!;
    protected StubUpstream _strapi = null!;
    protected StubUpstream _frontend = null!;
    protected ConnectionMultiplexer _ops = null!;
    private readonly List<GatewayHost> _gateways = [];

    public virtual async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _strapi = await StubUpstream.StartAsync();
        _frontend = await StubUpstream.StartAsync();
        _frontend.Respond(200, "frontend", "text/plain");
        _ops = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration + ",abortConnect=false");
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }

        await _ops.DisposeAsync();
        await _strapi.DisposeAsync();
        await _frontend.DisposeAsync();
        await _redis.DisposeAsync();
    }

    protected GatewayHost NewGateway(string? adminKey = null, string? resyncInterval = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Redirects:AdminKey"] = adminKey,
            ["Redirects:ResyncInterval"] = resyncInterval ?? "00:05:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var gateway = new GatewayHost(_strapi.BaseUrl, _frontend.BaseUrl, _redis.Configuration, all);
        _gateways.Add(gateway);
        return gateway;
    }

    /// <summary>A gateway whose table has been loaded (its readiness says so).</summary>
    protected async Task<HttpClient> StartGatewayAsync(string? adminKey = null, GatewayHost? gateway = null)
    {
        var client = (gateway ?? NewGateway(adminKey)).CreateGatewayClient();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            using var ready = await client.GetAsync("/readyz");
            if (ready.StatusCode == HttpStatusCode.OK || DateTime.UtcNow > deadline)
            {
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
                return client;
            }

            await Task.Delay(50);
        }
    }

    protected Task<bool> SetRawAsync(string key, string value) => _ops.GetDatabase().StringSetAsync(Prefix + key, value);

    protected static async Task AssertRedirectAsync(HttpClient client, string path, HttpStatusCode status, string location)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(location, response.Headers.Location?.OriginalString);
    }

    protected static async Task EventuallyAsync(HttpClient client, string path, HttpStatusCode status, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        HttpStatusCode last;
        do
        {
            using var response = await client.GetAsync(path);
            last = response.StatusCode;
            if (last == status)
            {
                return;
            }

            await Task.Delay(20);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"{path} answered {(int)last}, not {(int)status}, for {within.TotalSeconds} s");
    }

    protected static Task<HttpResponseMessage> PutAsync(HttpClient client, string key, string json, string? adminKey)
        => SendAsync(client, HttpMethod.Put, "/api/redirects/" + key, json, adminKey);

    /// <summary>A table posted to the admin import with the admin key, as <paramref name="contentType"/> (none if null).</summary>
    protected static async Task<HttpResponseMessage> ImportAsync(HttpClient client, string body, string? contentType, bool replace = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, replace ? "/api/redirects/import?mode=replace" : "/api/redirects/import")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)),
        };
        if (contentType is not null)
        {
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        }

        request.Headers.Add("X-Admin-Key", AdminKey);
        return await client.SendAsync(request);
    }

    protected static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string? json, string? adminKey)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (adminKey is not null)
        {
            request.Headers.Add("X-Admin-Key", adminKey);
        }

        return await client.SendAsync(request);
    }
}
