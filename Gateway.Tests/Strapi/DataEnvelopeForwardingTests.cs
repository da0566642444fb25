using System.Net;
using System.Text;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Strapi;

/// <summary>POST and PUT bodies reach Strapi inside <c>{"data":…}</c>, whatever the client sent.</summary>
public sealed class DataEnvelopeForwardingTests : IClassFixture<ProxyFixture>
{
    private readonly ProxyFixture _proxy;

    public DataEnvelopeForwardingTests(ProxyFixture proxy)
    {
        _proxy = proxy;
        _proxy.Reset();
    }

    [Theory]
    [InlineData("POST", "/api/v2/invoices/en-us")]
    [InlineData("PUT", "/api/v2/invoices/en-us/abc123")]
    [InlineData("POST", "/api/v2/customers/en-us")]
    [InlineData("PUT", "/api/v2/revenues/en-us/abc123")]
    public async Task BareFields_AreWrapped(string method, string path)
    {
        const string fields = """{"amount":15795,"invoice_status":"pending","customer":"abc"}""";

        using var response = await SendAsync(method, path, fields);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = _proxy.Strapi.OnlyRequest();
        Assert.Equal("{\"data\":" + fields + "}", seen.Body);
        Assert.Equal(Encoding.UTF8.GetByteCount(seen.Body).ToString(System.Globalization.CultureInfo.InvariantCulture), seen.Header("Content-Length"));
        Assert.StartsWith("application/json", seen.Header("Content-Type"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"data":{"amount":1}}""")]
    [InlineData("""  {"data" : {"amount":1}, "meta": {}}  """)]
    public async Task AlreadyWrapped_GoesAsItIs(string body)
    {
        using var response = await SendAsync("POST", "/api/v2/invoices/en-us", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, _proxy.Strapi.OnlyRequest().Body);
    }

    [Fact]
    public async Task MalformedJson_GoesAsItIs_AndStrapisErrorComesBack()
    {
        const string error = """{"data":null,"error":{"status":400,"name":"BadRequestError","message":"Invalid JSON","details":{}}}""";
        _proxy.Strapi.Respond(400, error);

        using var response = await SendAsync("POST", "/api/v2/invoices/en-us", """{"amount": """);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, await response.Content.ReadAsStringAsync());
        Assert.Equal("""{"amount": """, _proxy.Strapi.OnlyRequest().Body);
    }

    [Fact]
    public async Task ChunkedBody_IsWrappedAndSentWithLength()
    {
        using var content = new StreamContent(new MemoryStream("""{"revenue":2000}"""u8.ToArray()));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v2/revenues/en-us") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await _proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = _proxy.Strapi.OnlyRequest();
        Assert.Equal("""{"data":{"revenue":2000}}""", seen.Body);
        Assert.Null(seen.Header("Transfer-Encoding"));
    }

    [Fact]
    public async Task GetAndDelete_BodyIsNotTouched()
    {
        using var response = await SendAsync("DELETE", "/api/v2/invoices/en-us/abc123", """{"amount":1}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"amount":1}""", _proxy.Strapi.OnlyRequest().Body);
    }

    [Fact]
    public async Task BodyOverLimit_413Problem_NothingForwarded()
    {
        var big = "{\"name\":\"" + new string('x', ProxyFixture.MaxBodyBytes) + "\"}";

        using var response = await SendAsync("POST", "/api/v2/customers/en-us", big);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty(_proxy.Strapi.Requests);
    }

    [Fact]
    public async Task ChunkedBodyOverLimit_413Problem_NothingForwarded()
    {
        var big = Encoding.UTF8.GetBytes("{\"name\":\"" + new string('x', ProxyFixture.MaxBodyBytes) + "\"}");
        using var content = new StreamContent(new MemoryStream(big));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/v2/customers/en-us/abc") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await _proxy.Client.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty(_proxy.Strapi.Requests);
    }

    private async Task<HttpResponseMessage> SendAsync(string method, string path, string body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        return await _proxy.Client.SendAsync(request);
    }
}
