using System.Net;
using System.Security.Cryptography;
using System.Text;
using Gateway.Tests.Infrastructure;
using static Gateway.Tests.Infrastructure.ContentDecoding;

namespace Gateway.Tests.Csv;

/// <summary>
/// The CSV export compressed as it streams: each page's rows still go out (and decode) as the page arrives, and
/// 100,000 rows through the gateway decode to the whole file while memory stays flat.
/// </summary>
public sealed class CsvExportCompressionTests : IClassFixture<ProxyFixture>
{
    private const string Path = "/api/v2/invoices/en-us/csv";
    private const int Rows = 100_000;

    private readonly ProxyFixture _proxy;

    public CsvExportCompressionTests(ProxyFixture proxy)
    {
        _proxy = proxy;
        _proxy.Reset();
    }

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task HundredThousandRows_DecodeToTheWholeFile_MemoryFlat(string coding)
    {
        var expected = ExpectedHash(Rows, out var expectedBytes);
        _proxy.Strapi.Handler = InvoicePages.Serve(Rows);
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var peak = baseline;

        using var response = await SendAsync(_proxy.Client, Path, coding, completion: HttpCompletionOption.ResponseHeadersRead);
        await using var decoded = Decode(await response.Content.ReadAsStreamAsync(), EncodingOf(response));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        long received = 0;
        var nextSample = 2L * 1024 * 1024;
        int read;
        while ((read = await decoded.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            received += read;
            if (received >= nextSample)
            {
                // Everything the gateway, the stand-in and this client hold alive, now and then during the download.
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
                nextSample += 2L * 1024 * 1024;
            }
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(coding, EncodingOf(response));
        Assert.True(VariesByAcceptEncoding(response));
        Assert.Null(response.Content.Headers.ContentLength);
        Assert.Equal(expectedBytes, received);
        Assert.Equal(expected, hash.GetHashAndReset());
        Assert.Equal(Rows / InvoicePages.PageSize, _proxy.Strapi.Requests.Count);

        // The file is 18 MB; a gateway that held it (or its pages) before compressing would grow by that much.
        Assert.True(peak - baseline < 8 * 1024 * 1024, $"managed memory grew by {(peak - baseline) / 1024 / 1024} MB during the export");
    }

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task RowsGoOutAsEachPageArrives_Compressed(string coding)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _proxy.Strapi.Handler = async context =>
        {
            var page = InvoicePages.RequestedPage(context);
            if (page == 2)
            {
                await release.Task.WaitAsync(context.RequestAborted);
            }

            await InvoicePages.WriteAsync(context, InvoicePages.Page(200, page));
        };

        using var response = await SendAsync(_proxy.Client, Path, coding, completion: HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(coding, EncodingOf(response));
        await using var decoded = Decode(await response.Content.ReadAsStreamAsync(), EncodingOf(response));
        var firstPage = InvoicePages.Csv(100);
        var received = new byte[Encoding.UTF8.GetByteCount(firstPage)];
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            // Page 2 is held back: these rows decode only if the compressor flushed page 1's rows.
            await decoded.ReadExactlyAsync(received, deadline.Token);
        }

        Assert.Equal(firstPage, Encoding.UTF8.GetString(received));
        release.SetResult();
        using var reader = new StreamReader(decoded);
        Assert.Equal(InvoicePages.Csv(200)[firstPage.Length..], await reader.ReadToEndAsync());
    }

    /// <summary>The hash of the file the export must make of invoices 1..<paramref name="total"/>, written row by row.</summary>
    private static byte[] ExpectedHash(int total, out long bytes)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var header = Encoding.UTF8.GetBytes(InvoicePages.Header);
        hash.AppendData(header);
        bytes = header.Length;
        for (var id = 1; id <= total; id++)
        {
            var row = Encoding.UTF8.GetBytes(InvoicePages.Row(id));
            hash.AppendData(row);
            bytes += row.Length;
        }

        return hash.GetHashAndReset();
    }
}
