using System.Net.Http.Headers;
using System.Text;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Strapi;

/// <summary>The Strapi token goes to Strapi and nowhere else: not to the client, not to the frontend, not into a log.</summary>
public sealed class TokenSecrecyTests : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private StubUpstream _strapi = null!;
    private StubUpstream _frontend = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _strapi = await StubUpstream.StartAsync();
        _frontend = await StubUpstream.StartAsync();
        _gateway = new GatewayHost(_strapi.BaseUrl, _frontend.BaseUrl, _redis.Configuration, new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["ReverseProxy:Clusters:strapi:HttpRequest:ActivityTimeout"] = "00:00:01",
        });
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
    public async Task Token_NeverInResponsesFrontendRequestsOrLogs()
    {
        var bodies = new StringBuilder();
        _strapi.Respond(201, StrapiShapes.Single());
        bodies.Append(await SendAsync(HttpMethod.Post, "/api/v2/invoices/en-us", """{"amount":1}"""));
        bodies.Append(await SendAsync(HttpMethod.Get, "/api/v2/invoices/en-us/bad..id", null));
        bodies.Append(await SendAsync(HttpMethod.Get, "/dashboard", null));
        bodies.Append(await SendAsync(HttpMethod.Get, "/readyz", null));
        _strapi.Hang();
        bodies.Append(await SendAsync(HttpMethod.Get, "/api/v2/invoices/en-us", null));

        Assert.Contains(_strapi.Requests, r => r.Header("Authorization") == $"Bearer {GatewayHost.Token}");
        Assert.DoesNotContain(GatewayHost.Token, bodies.ToString(), StringComparison.Ordinal);
        Assert.NotEmpty(_frontend.Requests);
        Assert.All(_frontend.Requests, r => Assert.Null(r.Header("Authorization")));
        Assert.NotEmpty(_gateway.Logs.Lines);
        Assert.DoesNotContain(_gateway.Logs.Lines, line => line.Contains(GatewayHost.Token, StringComparison.Ordinal));
    }

    private async Task<string> SendAsync(HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "client");
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await _client.SendAsync(request);
        var headers = string.Join('\n', response.Headers.Concat(response.Content.Headers).SelectMany(h => h.Value));
        return headers + await response.Content.ReadAsStringAsync();
    }
}
