using System.Net;
using System.Text;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Hosting;

/// <summary>When Strapi is down or too slow the client gets a 502 or 504 problem from the gateway, never a hang or a stack trace.</summary>
public sealed class UpstreamFailureTests : IClassFixture<ProxyFixture>, IClassFixture<RedisFixture>
{
    private readonly ProxyFixture _proxy;
    private readonly RedisFixture _redis;

    public UpstreamFailureTests(ProxyFixture proxy, RedisFixture redis)
    {
        _proxy = proxy;
        _redis = redis;
        _proxy.Reset();
    }

    [Theory]
    [InlineData("GET", "/api/v2/invoices/en-us")]
    [InlineData("POST", "/api/v2/customers/en-us")]
    [InlineData("DELETE", "/api/v2/revenues/en-us/abc")]
    public async Task StrapiHangsPastActivityTimeout_504Problem(string method, string path)
    {
        _proxy.Strapi.Hang();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = new StringContent("""{"name":"x"}""", Encoding.UTF8, "application/json");
        }

        using var response = await _proxy.Client.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.GatewayTimeout);
        Assert.Single(_proxy.Strapi.Requests);
    }

    [Theory]
    [InlineData("GET", "/api/v2/invoices/en-us")]
    [InlineData("PUT", "/api/v2/invoices/en-us/abc")]
    public async Task StrapiUnreachable_502Problem(string method, string path)
    {
        var closedPort = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        await using var gateway = new GatewayHost(closedPort, _proxy.Frontend.BaseUrl, _redis.Server.Configuration);
        using var client = gateway.CreateGatewayClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "PUT")
        {
            request.Content = new StringContent("""{"amount":1}""", Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadGateway);
        Assert.DoesNotContain(closedPort.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), problem.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StrapiDropsConnectionMidHeaders_502Problem()
    {
        _proxy.Strapi.Handler = context =>
        {
            context.Abort();
            return Task.CompletedTask;
        };

        using var response = await _proxy.Client.GetAsync("/api/v2/invoices/en-us");

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadGateway);
    }
}
