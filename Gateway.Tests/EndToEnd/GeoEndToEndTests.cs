using System.Net;

namespace Gateway.Tests.EndToEnd;

/// <summary>/api/v1/invoices with the real country database in front of the real Strapi.</summary>
[Collection(StrapiCollection.Name)]
public sealed class GeoEndToEndTests(StrapiStack stack)
{
    [Fact]
    public async Task FrenchClient_RedirectedToTheEurViewOfRealInvoices()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/invoices");
        request.Headers.Add("X-Forwarded-For", "51.158.36.186");
        using var redirect = await stack.Gateway.SendAsync(request);

        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.Equal("private", redirect.Headers.CacheControl?.ToString());
        var view = await stack.Gateway.GetJsonAsync(redirect.Headers.Location!.OriginalString);
        Assert.Equal("EUR", view.GetProperty("meta").GetProperty("currency").Str("code"));
        Assert.Equal(25, view.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task AmericanClient_GetsStrapisEnvelope()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/invoices?sort=id:asc");
        request.Headers.Add("X-Forwarded-For", "8.8.8.8");
        using var response = await stack.Gateway.SendAsync(request);
        using var direct = await stack.Direct.GetAsync("/api/invoices?sort=id:asc");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // A signed-in JSON answer: private, and revalidated by its ETag (no-cache).
        Assert.True(response.Headers.CacheControl is { Private: true, NoCache: true, Public: false }, response.Headers.CacheControl?.ToString());
        Assert.NotNull(response.Headers.ETag);
        Assert.Equal(await direct.Content.ReadAsStringAsync(), await response.Content.ReadAsStringAsync());
    }
}
