using System.Net;
using Gateway.Access;
using Gateway.Tests.Csv;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Tests.Access;

/// <summary>
/// Issue 23: what Strapi says about itself (<c>X-Powered-By</c>, its <c>Strict-Transport-Security</c>, its CORS answer)
/// never reaches a client: on a proxied route, and on the CSV export and the EUR view, which write their own bodies.
/// </summary>
public sealed class StrapiOwnHeadersTests : IClassFixture<ProxyFixture>
{
    private const string StrapiHsts = "max-age=31536000; includeSubDomains";
    private readonly ProxyFixture _proxy;

    public StrapiOwnHeadersTests(ProxyFixture proxy)
    {
        _proxy = proxy;
        _proxy.Reset();
    }

    [Theory]
    [InlineData("/api/v2/invoices/en-us")]
    [InlineData("/api/v2/invoices/en-us/csv")]
    [InlineData("/api/v2/invoices/fr")]
    public async Task StrapiSaysWhatItIs_NotPassedOn(string path)
    {
        _proxy.Strapi.Handler = WithStrapisOwnHeaders(path.EndsWith("/csv", StringComparison.Ordinal) ? InvoicePages.Serve(3) : Respond(StrapiShapes.List()));

        using var response = await _proxy.Client.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEmpty(body);
        Assert.NotEmpty(_proxy.Strapi.Requests);
        Assert.False(response.Headers.Contains("X-Powered-By"));
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task HstsOn_PlainHttp_NoneSent_NotEvenStrapis()
    {
        await using var gateway = new GatewayHost(_proxy.Strapi.BaseUrl, _proxy.Frontend.BaseUrl, _proxy.Redis.Configuration,
            new Dictionary<string, string?> { ["Hsts:Enabled"] = "true" });
        using var client = gateway.CreateGatewayClient();
        _proxy.Strapi.Handler = WithStrapisOwnHeaders(Respond(StrapiShapes.List()));

        using var response = await client.GetAsync(new Uri("/api/v2/invoices/en-us", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task GatewaysOwnHsts_SameTextAsStrapis_Kept()
    {
        // As on HTTPS with Hsts:Enabled: ASP.NET Core's middleware set the header as the request came in, and YARP copies no
        // Strict-Transport-Security from upstream when one is there already.
        var http = new DefaultHttpContext();
        http.Response.Headers.StrictTransportSecurity = StrapiHsts;
        await GatewayHstsMarkTransform.Instance.ApplyAsync(new RequestTransformContext { HttpContext = http, ProxyRequest = new HttpRequestMessage() });
        using var strapi = new HttpResponseMessage(HttpStatusCode.OK);
        strapi.Headers.TryAddWithoutValidation("Strict-Transport-Security", StrapiHsts);

        await StrapiOwnHeadersRemoveTransform.Instance.ApplyAsync(new ResponseTransformContext { HttpContext = http, ProxyResponse = strapi, HeadersCopied = true });

        Assert.Equal(StrapiHsts, http.Response.Headers.StrictTransportSecurity.ToString());
    }

    [Fact]
    public async Task NoHstsOfTheGateways_StrapisCopiedOne_Removed()
    {
        var http = new DefaultHttpContext();
        await GatewayHstsMarkTransform.Instance.ApplyAsync(new RequestTransformContext { HttpContext = http, ProxyRequest = new HttpRequestMessage() });
        http.Response.Headers.StrictTransportSecurity = StrapiHsts; // YARP's copy
        http.Response.Headers["X-Powered-By"] = "Strapi <strapi.io>";

        await StrapiOwnHeadersRemoveTransform.Instance.ApplyAsync(new ResponseTransformContext { HttpContext = http, HeadersCopied = true });

        Assert.False(http.Response.Headers.ContainsKey("Strict-Transport-Security"));
        Assert.False(http.Response.Headers.ContainsKey("X-Powered-By"));
    }

    private static Func<HttpContext, Task> Respond(string body) => async context =>
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body);
    };

    /// <summary>Strapi's headers about itself, as koa and its security middleware send them, on whatever <paramref name="inner"/> answers.</summary>
    private static Func<HttpContext, Task> WithStrapisOwnHeaders(Func<HttpContext, Task> inner) => context =>
    {
        context.Response.Headers["X-Powered-By"] = "Strapi <strapi.io>";
        context.Response.Headers["Strict-Transport-Security"] = StrapiHsts;
        context.Response.Headers["Access-Control-Allow-Origin"] = "*";
        return inner(context);
    };
}
