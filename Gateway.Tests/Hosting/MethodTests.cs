using System.Net;
using Gateway.Tests.Csv;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Hosting;

/// <summary>Issue 14, item 6: a method a route does not take is a 405 problem with Allow; HEAD is answered like GET without a body.</summary>
public sealed class MethodTests : IClassFixture<ProxyFixture>
{
    private readonly ProxyFixture _proxy;

    public MethodTests(ProxyFixture proxy)
    {
        _proxy = proxy;
        _proxy.Reset();
    }

    [Theory]
    [InlineData("PATCH", "/api/v2/invoices/en-us/abc123", "DELETE, GET, HEAD, PUT")]
    [InlineData("PATCH", "/api/v2/customers/en-us/abc123", "DELETE, GET, HEAD, PUT")]
    [InlineData("DELETE", "/api/v2/revenues/en-us", "GET, HEAD, POST")]
    // "csv" is also a document id to the document route, which takes DELETE and PUT on this path.
    [InlineData("POST", "/api/v2/invoices/en-us/csv", "DELETE, GET, HEAD, PUT")]
    [InlineData("PUT", "/api/v2/invoices/fr", "GET, HEAD")]
    [InlineData("OPTIONS", "/api/v1/invoices", "GET, HEAD")]
    public async Task MethodTheRouteDoesNotTake_405ProblemWithAllow_NothingForwarded(string method, string path, string allow)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{}") };

        using var response = await _proxy.Client.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.MethodNotAllowed);
        Assert.Equal(allow, string.Join(", ", response.Content.Headers.Allow));
        Assert.Empty(_proxy.Frontend.Requests);
        Assert.Empty(_proxy.Strapi.Requests);
    }

    [Fact]
    public async Task PathNoRouteWithMethodsMatches_AnyMethodGoesToTheFrontend()
    {
        using var response = await _proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Patch, "/dashboard/invoices"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("PATCH", _proxy.Frontend.OnlyRequest().Method);
    }

    [Fact]
    public async Task RouteAddedInConfiguration_ItsMethodsDecide()
    {
        await using var gateway = new GatewayHost(_proxy.Strapi.BaseUrl, _proxy.Frontend.BaseUrl, _proxy.Redis.Configuration, new Dictionary<string, string?>
        {
            ["ReverseProxy:Routes:reports:ClusterId"] = "strapi",
            ["ReverseProxy:Routes:reports:Match:Path"] = "/api/reports/{name}",
            ["ReverseProxy:Routes:reports:Match:Methods:0"] = "POST",
        });
        using var client = gateway.CreateGatewayClient();

        using var response = await client.GetAsync(new Uri("/api/reports/q1", UriKind.Relative));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.MethodNotAllowed);
        Assert.Equal("POST", string.Join(", ", response.Content.Headers.Allow));
        Assert.Empty(_proxy.Frontend.Requests);
    }

    [Fact]
    public void RouteMap_EveryRouteThatTakesGet_TakesHead()
    {
        using var map = System.Text.Json.JsonDocument.Parse(File.ReadAllText(RepositoryPaths.File("yarp.json")),
            new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip });
        var routes = map.RootElement.GetProperty("ReverseProxy").GetProperty("Routes").EnumerateObject().ToList();

        Assert.NotEmpty(routes);
        foreach (var route in routes)
        {
            if (route.Value.GetProperty("Match").TryGetProperty("Methods", out var methods))
            {
                var names = methods.EnumerateArray().Select(method => method.GetString()).ToList();
                Assert.True(!names.Contains("GET") || names.Contains("HEAD"), $"route {route.Name} takes GET but not HEAD");
            }
        }
    }

    [Fact]
    public async Task Head_OnACrudRoute_GetsHeaders_NoBody()
    {
        using var response = await _proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/v2/invoices/en-us"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Empty(_proxy.Frontend.Requests);
        Assert.Equal("GET", _proxy.Strapi.OnlyRequest().Method);
    }

    [Fact]
    public async Task Head_OnTheCsvExport_TheDownloadsHeaders_OnlyPageOneRead()
    {
        _proxy.Strapi.Handler = InvoicePages.Serve(1000);

        using var response = await _proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/v2/invoices/en-us/csv"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("attachment; filename=\"invoices.csv\"", response.Content.Headers.ContentDisposition?.ToString());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("GET", _proxy.Strapi.OnlyRequest().Method);
    }

    [Fact]
    public async Task Head_OnTheEurView_JsonHeaders_NoBody()
    {
        using var response = await _proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/v2/invoices/fr"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Empty(_proxy.Frontend.Requests);
    }
}
