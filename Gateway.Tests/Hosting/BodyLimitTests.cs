using System.Net;
using System.Text;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Hosting;

/// <summary>
/// Every endpoint that reads a body itself stops at its limit, with or without a <c>Content-Length</c> (chunked): a 413
/// problem, nothing done, nothing at Error in the log. Limits shrunk by configuration where they are configurable.
/// </summary>
public sealed class BodyLimitTests : IAsyncLifetime
{
    private const string Secret = "body-limit-webhook-secret";
    private RedisServer _redis = null!;
    private StubUpstream _strapi = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _strapi = await StubUpstream.StartAsync();
        _gateway = new GatewayHost(_strapi.BaseUrl, _strapi.BaseUrl, _redis.Configuration, new Dictionary<string, string?>
        {
            ["Redirects:AdminKey"] = GatewayHost.AdminKey,
            ["Redirects:MaxImportBytes"] = "100000",
            ["Redirects:MaxEntryBytes"] = "2000",
            ["ResponseCache:WebhookSecret"] = Secret,
        });
        _client = _gateway.CreateGatewayClient();
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _strapi.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Theory]
    [InlineData("/auth/login", "application/json", 17_000, true)]
    [InlineData("/auth/login", "application/json", 17_000, false)]
    [InlineData("/api/redirects/import", "text/csv", 200_000, true)]
    [InlineData("/api/redirects/import", "text/csv", 200_000, false)]
    [InlineData("/api/redirects/%2Fbig", "application/json", 5_000, false)]
    [InlineData("/webhooks/strapi", "application/json", 2_000_000, false)]
    [InlineData("/webhooks/strapi", "application/json", 2_000_000, true)]
    public async Task OverTheLimit_413Problem_NothingDone_NoError(string path, string contentType, int bytes, bool withLength)
    {
        var body = Body(contentType, bytes);
        using var request = new HttpRequestMessage(path.StartsWith("/api/redirects/%2F", StringComparison.Ordinal) ? HttpMethod.Put : HttpMethod.Post, path)
        {
            Content = withLength ? new ByteArrayContent(body) : new StreamContent(new MemoryStream(body)),
        };
        request.Content.Headers.ContentType = new(contentType);
        if (!withLength)
        {
            request.Headers.TransferEncodingChunked = true;
        }

        request.Headers.Add("X-Admin-Key", GatewayHost.AdminKey);
        request.Headers.Add("X-Strapi-Webhook-Secret", Secret);

        using var response = await _client.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty(_strapi.Requests);
        using var list = new HttpRequestMessage(HttpMethod.Get, "/api/redirects?prefix=/big");
        list.Headers.Add("X-Admin-Key", GatewayHost.AdminKey);
        using var table = await _client.SendAsync(list);
        Assert.DoesNotContain("/big", await table.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(_gateway.Logs.Lines, line => line.StartsWith("Error", StringComparison.Ordinal) || line.StartsWith("Critical", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnderTheLimit_Read()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/redirects/import") { Content = new StringContent("source,target,status\n/big0,/small,301\n", Encoding.UTF8, "text/csv") };
        request.Headers.Add("X-Admin-Key", GatewayHost.AdminKey);

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>A valid-looking body of <paramref name="bytes"/> bytes: a long JSON string, or CSV rows.</summary>
    private static byte[] Body(string contentType, int bytes)
    {
        if (contentType == "text/csv")
        {
            var csv = new StringBuilder("source,target,status\n");
            for (var i = 0; csv.Length < bytes; i++)
            {
                csv.Append("/big").Append(i).Append(",/small,301\n");
            }

            return Encoding.UTF8.GetBytes(csv.ToString());
        }

        return Encoding.UTF8.GetBytes($$"""{"identifier":"a","password":"{{new string('x', bytes)}}","destination":"/x","event":"entry.update"}""");
    }
}
