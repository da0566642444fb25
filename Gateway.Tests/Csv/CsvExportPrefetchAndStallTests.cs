using System.Net;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace Gateway.Tests.Csv;

/// <summary>
/// Issue 14, item 1: the dashboard's download link is prefetched on every page view, with Next.js's <c>_rsc</c> key;
/// and a client that stops reading must not hold an export (and its Strapi reads) open.
/// </summary>
public sealed class CsvExportPrefetchAndStallTests : IClassFixture<ProxyFixture>
{
    private const string Path = "/api/v2/invoices/en-us/csv";

    private readonly ProxyFixture _proxy;

    public CsvExportPrefetchAndStallTests(ProxyFixture proxy)
    {
        _proxy = proxy;
        _proxy.Reset();
        _proxy.Strapi.Handler = InvoicePages.Serve(1000);
    }

    [Theory]
    [InlineData("Next-Router-Prefetch", "1")]
    [InlineData("RSC", "1")]
    [InlineData("Purpose", "prefetch")]
    [InlineData("Sec-Purpose", "prefetch")]
    [InlineData("Sec-Purpose", "prefetch;prerender")]
    public async Task Prefetch_204NoStore_StrapiNeverAsked(string header, string value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Path + "?_rsc=1x2y3");
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await _proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Empty(_proxy.Strapi.Requests);
        Assert.Empty(_proxy.Frontend.Requests);
    }

    [Fact]
    public async Task NotPrefetch_SamePurposeWordElsewhere_Exports()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Path);
        request.Headers.TryAddWithoutValidation("Sec-Purpose", "prerender-ish");

        using var response = await _proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(InvoicePages.Csv(1000), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task QueryKeysNotStrapis_NotSent_StrapisKeysAre()
    {
        using var response = await _proxy.Client.GetAsync(
            Path + "?_rsc=1x2y3&utm_source=mail&filters[invoice_status][$eq]=paid&locale=en&status=published&sort[0]=amount:desc");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(10, _proxy.Strapi.Requests.Count);
        Assert.All(_proxy.Strapi.Requests, seen =>
        {
            var query = QueryHelpers.ParseQuery(new Uri("http://x" + seen.Target).Query);
            Assert.False(query.ContainsKey("_rsc"));
            Assert.False(query.ContainsKey("utm_source"));
            Assert.Equal("paid", query["filters[invoice_status][$eq]"]);
            Assert.Equal("en", query["locale"]);
            Assert.Equal("published", query["status"]);
            Assert.Equal("amount:desc", query["sort[0]"]);
        });
    }

    [Fact]
    public async Task ClientStopsReading_DroppedAfterStallTimeout_StrapiReadsStop()
    {
        // 2,000 pages of ~19 KB: far more than the socket buffers between gateway and client can hold.
        const int invoices = 200_000;
        await using var gateway = new GatewayHost(_proxy.Strapi.BaseUrl, _proxy.Frontend.BaseUrl, _proxy.Redis.Configuration,
            new Dictionary<string, string?> { ["Csv:ClientStallTimeout"] = "00:00:01" });
        using var client = gateway.CreateGatewayClient();
        _proxy.Strapi.Handler = InvoicePages.Serve(invoices);

        using var response = await client.GetAsync(Path, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var first = new byte[InvoicePages.Header.Length];
        await body.ReadExactlyAsync(first);

        // The client now reads nothing. The gateway fills the buffers, waits, and gives up: Strapi's reads stop.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!gateway.Logs.Lines.Any(line => line.Contains("took nothing for", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Contains(gateway.Logs.Lines, line => line.Contains("took nothing for", StringComparison.Ordinal));
        var settled = await SettledCountAsync(() => _proxy.Strapi.Requests.Count, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30));
        Assert.InRange(settled, 1, invoices / InvoicePages.PageSize - 1);

        // What the client has left to read ends broken, never as a whole file.
        await Assert.ThrowsAnyAsync<IOException>(() => body.CopyToAsync(Stream.Null));
    }

    /// <summary>Polls <paramref name="count"/> until it has not moved for <paramref name="quiet"/>; returns it.</summary>
    private static async Task<int> SettledCountAsync(Func<int> count, TimeSpan quiet, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        var last = count();
        var since = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            var now = count();
            if (now != last)
            {
                (last, since) = (now, DateTime.UtcNow);
            }
            else if (DateTime.UtcNow - since >= quiet)
            {
                return now;
            }
        }

        return last;
    }
}
