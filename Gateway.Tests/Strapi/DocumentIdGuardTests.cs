using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Strapi;

/// <summary>A document id that is not 1-64 letters or digits is a 400 from the gateway, and Strapi never hears of it.</summary>
public sealed class DocumentIdGuardTests : IClassFixture<ProxyFixture>
{
    private readonly ProxyFixture _proxy;

    public DocumentIdGuardTests(ProxyFixture proxy)
    {
        _proxy = proxy;
        _proxy.Reset();
    }

    public static TheoryData<string, string> BadIds()
    {
        var data = new TheoryData<string, string>();
        string[] ids =
        [
            "..%2F..%2Fusers",
            "..%2f",
            "abc%2Fdef",
            "abc%2fdef",
            "a..b",
            "%2E%2E%2Fadmin",
            "abc%20def",
            "abc;x=1",
            "%C3%A9t%C3%A9",
            new string('a', 65),
        ];
        foreach (var method in new[] { "GET", "PUT", "DELETE" })
        {
            foreach (var id in ids)
            {
                data.Add(method, id);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadIds))]
    public async Task BadDocumentId_400Problem_NothingForwarded(string method, string id)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri("/api/v2/invoices/en-us/" + id, UriKind.Relative));
        if (method == "PUT")
        {
            request.Content = new StringContent("""{"amount":1}""", Encoding.UTF8, "application/json");
        }

        using var response = await _proxy.Client.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Empty(_proxy.Strapi.Requests);
        Assert.Empty(_proxy.Frontend.Requests);
    }

    [Fact]
    public async Task NulInPath_RefusedByTheServer_NothingForwarded()
    {
        // Kestrel refuses a NUL in the path at the protocol level, before any middleware: a bare 400.
        using var response = await _proxy.Client.GetAsync(new Uri("/api/v2/invoices/en-us/abc%00", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(_proxy.Strapi.Requests);
        Assert.Empty(_proxy.Frontend.Requests);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("s2r77wbev8x1yjgxloln2517")]
    [InlineData("ABCxyz0123456789ABCxyz0123456789ABCxyz0123456789ABCxyz0123456789")]
    public async Task GoodDocumentId_Forwarded(string id)
    {
        using var response = await _proxy.Client.GetAsync("/api/v2/customers/en-us/" + id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/api/customers/" + id, _proxy.Strapi.OnlyRequest().Target);
    }

    [Fact]
    public async Task RawDotDotSegment_IsResolvedByTheServer_NeverReachesStrapi()
    {
        // HttpClient would collapse "..", so this goes over a raw socket: the request line is exactly what a hostile
        // client could send. Kestrel resolves the dot segment (RFC 3986), leaving "/api/v2/invoices/", which is not
        // a Strapi route: the frontend gets it, Strapi does not.
        var status = await RawGetAsync("/api/v2/invoices/en-us/../../../admin");

        Assert.Equal(200, status);
        Assert.Empty(_proxy.Strapi.Requests);
        Assert.Equal("/api/admin", _proxy.Frontend.OnlyRequest().Target);
    }

    private async Task<int> RawGetAsync(string target)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(_proxy.Client.BaseAddress!.Host, _proxy.Client.BaseAddress.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync() ?? "";
        return int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
