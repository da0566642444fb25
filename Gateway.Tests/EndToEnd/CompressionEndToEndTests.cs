using System.Net;
using Gateway.Caching;
using Gateway.Tests.Infrastructure;
using static Gateway.Tests.Infrastructure.ContentDecoding;

namespace Gateway.Tests.EndToEnd;

/// <summary>
/// gzip and Brotli against the real Strapi: a list, a document, the EUR view and the CSV export each decode to the
/// answer a client asking for no compression gets; cached ones come back from the cache byte for byte as first sent.
/// </summary>
[Collection(StrapiCollection.Name)]
public sealed class CompressionEndToEndTests(StrapiStack stack)
{
    public static TheoryData<string, string> Answers()
    {
        var data = new TheoryData<string, string>();
        foreach (var coding in new[] { "br", "gzip" })
        {
            data.Add("/api/v2/invoices/en-us?pagination[pageSize]=100&populate[customer][fields][0]=name&sort=id:asc", coding);
            data.Add("/api/v2/invoices/fr?pageSize=50&sort=id:asc", coding);
            data.Add("/api/v2/customers/en-us?sort=id:asc", coding);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task CachedAnswer_DecodesToTheIdentityBody_HitServedAsStored(string path, string coding)
    {
        // A query of its own, so neither entry was made by another test.
        path += $"&filters[id][$gte]={Random.Shared.Next(-1_000_000, 0)}";
        using var identity = await SendAsync(stack.Gateway, path, "identity");
        using var miss = await SendAsync(stack.Gateway, path, coding);
        var sent = await miss.Content.ReadAsByteArrayAsync();
        using var hit = await SendAsync(stack.Gateway, path, coding);

        Assert.Equal(HttpStatusCode.OK, miss.StatusCode);
        Assert.Null(EncodingOf(identity));
        Assert.True(VariesByAcceptEncoding(identity));
        Assert.Equal(coding, EncodingOf(miss));
        Assert.True(VariesByAcceptEncoding(miss));
        var text = await identity.Content.ReadAsStringAsync();
        Assert.Equal(text, await DecodedTextAsync(miss));
        Assert.True(sent.Length < text.Length / 2, $"{coding}: {sent.Length} bytes for {text.Length}");
        Assert.Equal(CacheStatus.Hit, hit.Headers.GetValues(CacheStatus.HeaderName).Single());
        Assert.Equal(sent, await hit.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task Document_DecodesToTheIdentityBody(string coding)
    {
        var list = await stack.Gateway.GetJsonAsync("/api/v2/invoices/en-us?pagination[pageSize]=1&sort=id:desc");
        var path = "/api/v2/invoices/en-us/" + list.GetProperty("data")[0].Str("documentId") + "?populate=customer";
        using var identity = await SendAsync(stack.Gateway, path, null);
        using var compressed = await SendAsync(stack.Gateway, path, coding);

        Assert.Equal(HttpStatusCode.OK, compressed.StatusCode);
        Assert.Equal(coding, EncodingOf(compressed));
        Assert.Equal(await identity.Content.ReadAsStringAsync(), await DecodedTextAsync(compressed));
    }

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task CsvExport_DecodesToTheIdentityFile(string coding)
    {
        const string Path = "/api/v2/invoices/en-us/csv?sort=id:asc";
        using var identity = await SendAsync(stack.Gateway, Path, null);
        using var compressed = await SendAsync(stack.Gateway, Path, coding);

        Assert.Equal(HttpStatusCode.OK, compressed.StatusCode);
        Assert.Equal(coding, EncodingOf(compressed));
        Assert.True(VariesByAcceptEncoding(compressed));
        Assert.Equal("text/csv; charset=utf-8", compressed.Content.Headers.ContentType?.ToString());
        var text = await identity.Content.ReadAsStringAsync();
        Assert.True(text.Split("\r\n").Length > StrapiStack.SeedInvoices - 5, "every seeded invoice");
        Assert.Equal(text, await DecodedTextAsync(compressed));
    }
}
