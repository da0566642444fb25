using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Strapi;

/// <summary>Plain CRUD, as Strapi receives it and as the client gets Strapi's answer back.</summary>
public sealed class CrudForwardingTests : IClassFixture<ProxyFixture>
{
    private const string DocumentId = "s2r77wbev8x1yjgxloln2517";
    private readonly ProxyFixture _proxy;

    public CrudForwardingTests(ProxyFixture proxy)
    {
        _proxy = proxy;
        _proxy.Reset();
    }

    public static TheoryData<string, string, string, string> Operations()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var collection in new[] { "invoices", "customers", "revenues" })
        {
            data.Add(collection, "GET", $"/api/v2/{collection}/en-us", $"/api/{collection}");
            data.Add(collection, "POST", $"/api/v2/{collection}/en-us", $"/api/{collection}");
            data.Add(collection, "GET", $"/api/v2/{collection}/en-us/{DocumentId}", $"/api/{collection}/{DocumentId}");
            data.Add(collection, "PUT", $"/api/v2/{collection}/en-us/{DocumentId}", $"/api/{collection}/{DocumentId}");
            data.Add(collection, "DELETE", $"/api/v2/{collection}/en-us/{DocumentId}", $"/api/{collection}/{DocumentId}");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task EachCollectionAndMethod_ReachesStrapiPathWithTokenOnly(string collection, string method, string path, string strapiPath)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "client-own-token");
        if (method is "POST" or "PUT")
        {
            request.Content = new StringContent("""{"amount":100}""", Encoding.UTF8, "application/json");
        }

        using var response = await _proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = _proxy.Strapi.OnlyRequest();
        Assert.Equal(method, seen.Method);
        Assert.Equal(strapiPath, seen.Target);
        Assert.Equal($"Bearer {GatewayHost.Token}", seen.Header("Authorization"));
        Assert.Empty(_proxy.Frontend.Requests);
        Assert.NotNull(collection);
    }

    [Fact]
    public async Task QueryString_ReachesStrapiByteForByte()
    {
        const string query = "?filters%5Binvoice_status%5D%5B%24eq%5D=paid&sort=date:desc&pagination%5Bpage%5D=2&pagination%5BpageSize%5D=10&populate%5Bcustomer%5D%5Bfields%5D%5B0%5D=name&fields%5B0%5D=amount";

        using var response = await _proxy.Client.GetAsync("/api/v2/invoices/en-us" + query);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/api/invoices" + query, _proxy.Strapi.OnlyRequest().Target);
    }

    [Fact]
    public async Task QueryString_OnDocument_ReachesStrapi()
    {
        using var response = await _proxy.Client.GetAsync($"/api/v2/customers/en-us/{DocumentId}?fields=name,email");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"/api/customers/{DocumentId}?fields=name,email", _proxy.Strapi.OnlyRequest().Target);
    }

    [Fact]
    public async Task NoClientAuthorization_StrapiStillGetsToken()
    {
        using var response = await _proxy.Client.GetAsync("/api/v2/revenues/en-us");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"Bearer {GatewayHost.Token}", _proxy.Strapi.OnlyRequest().Header("Authorization"));
    }

    public static TheoryData<string, int, string?> StrapiAnswers() => new()
    {
        { "GET", 200, StrapiShapes.List() },
        { "POST", 201, StrapiShapes.Single() },
        { "DELETE", 204, null },
        { "POST", 400, StrapiShapes.ValidationError() },
        { "GET", 404, StrapiShapes.NotFound() },
        { "PUT", 404, StrapiShapes.NotFound() },
        { "GET", 401, """{"data":null,"error":{"status":401,"name":"UnauthorizedError","message":"Missing or invalid credentials","details":{}}}""" },
    };

    [Theory]
    [MemberData(nameof(StrapiAnswers))]
    public async Task StrapiStatusAndEnvelope_PassThroughUnchanged(string method, int status, string? body)
    {
        _proxy.Strapi.Respond(status, body);
        var path = method == "GET" && status == 200 || method == "POST" ? "/api/v2/invoices/en-us" : $"/api/v2/invoices/en-us/{DocumentId}";
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT")
        {
            request.Content = new StringContent("""{"amount":1}""", Encoding.UTF8, "application/json");
        }

        using var response = await _proxy.Client.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(body ?? "", await response.Content.ReadAsStringAsync());
        if (body is not null)
        {
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        }
    }
}
