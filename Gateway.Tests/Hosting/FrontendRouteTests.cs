using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Hosting;

/// <summary>Every path the gateway does not own goes to the frontend, untouched.</summary>
public sealed class FrontendRouteTests : IClassFixture<ProxyFixture>
{
    private readonly ProxyFixture _proxy;

    public FrontendRouteTests(ProxyFixture proxy)
    {
        _proxy = proxy;
        _proxy.Reset();
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/dashboard/invoices?page=2&query=lee")]
    [InlineData("/_next/static/chunks/app.js")]
    [InlineData("/api/v2/invoices/en-us/abc/extra")]
    [InlineData("/api/v3/invoices")]
    public async Task OtherPaths_ReachFrontendAsTheyAre(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", "session=abc");

        using var response = await _proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("<html>dashboard</html>", await response.Content.ReadAsStringAsync());
        var seen = _proxy.Frontend.OnlyRequest();
        Assert.Equal(path, seen.Target);
        Assert.Equal("session=abc", seen.Header("Cookie"));
        Assert.Empty(_proxy.Strapi.Requests);
    }

    [Theory]
    [InlineData("/docs/a%2Fb")]
    [InlineData("/docs/a%2fb?x=%2F")]
    [InlineData("/docs/a%252Fb")]
    [InlineData("/packages/@types%2Fnode/caf%C3%A9")]
    public async Task EncodedCharacters_ReachFrontendAsWritten(string path)
    {
        using var response = await _proxy.Client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(path, _proxy.Frontend.OnlyRequest().Target);
    }

    [Fact]
    public async Task DotSegments_ResolvedAsKestrelDid()
    {
        using var response = await _proxy.Client.GetAsync(new Uri("/docs/x/%2E%2E/y%2Fz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("/docs/y", _proxy.Frontend.OnlyRequest().Target, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FrontendStatus_PassesThrough()
    {
        _proxy.Frontend.Respond(404, "<html>not found</html>", "text/html");

        using var response = await _proxy.Client.GetAsync("/no-such-page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("<html>not found</html>", await response.Content.ReadAsStringAsync());
    }
}
