using System.Globalization;
using System.Text.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Currency;

/// <summary>
/// A gateway in front of a stand-in Strapi and a stand-in rate API, on a real Redis, with its own Redis key so tests
/// do not see each other's rates. Two of them may share a key (<see cref="CacheKeyPrefix"/>) to act as replicas.
/// </summary>
internal sealed class CurrencyGateway : IAsyncDisposable
{
    public const string Path = "/api/v2/invoices/fr";

    private GatewayHost _host = null!;

    public StubUpstream Strapi { get; private set; } = null!;

    public StubUpstream RateApi { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public string CacheKeyPrefix { get; private set; } = "";

    public LogCapture Logs => _host.Logs;

    public static async Task<CurrencyGateway> StartAsync(string redis, IReadOnlyDictionary<string, string?>? settings = null, string? cacheKeyPrefix = null)
    {
        var gateway = new CurrencyGateway
        {
            Strapi = await StubUpstream.StartAsync(),
            RateApi = await StubUpstream.StartAsync(),
            CacheKeyPrefix = cacheKeyPrefix ?? $"test:currency:{Guid.NewGuid():N}:",
        };
        gateway.Strapi.Respond(200, CurrencyShapes.Page(15795, 100, 5));
        gateway.RateApi.Respond(200, CurrencyShapes.Rates(("EUR", 0.9m), ("GBP", 0.79m)));
        var all = new Dictionary<string, string?>
        {
            ["Currency:RateApi:BaseUrl"] = gateway.RateApi.BaseUrl.AbsoluteUri,
            ["Currency:RateApi:Timeout"] = "00:00:00.500",
            ["Currency:CacheKeyPrefix"] = gateway.CacheKeyPrefix,
            ["Currency:RetryInterval"] = "00:00:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        gateway._host = new GatewayHost(gateway.Strapi.BaseUrl, gateway.Strapi.BaseUrl, redis, all);
        gateway.Client = gateway._host.CreateGatewayClient();
        return gateway;
    }

    public static string Seconds(double seconds) => TimeSpan.FromSeconds(seconds).ToString("c", CultureInfo.InvariantCulture);

    /// <summary>GET the view; asserts a 200 and returns the body.</summary>
    public async Task<JsonElement> GetViewAsync(string path = Path)
    {
        using var response = await Client.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _host.DisposeAsync();
        await Strapi.DisposeAsync();
        await RateApi.DisposeAsync();
    }
}
