using System.Net;
using System.Text;
using Gateway.Tests.Infrastructure;
using static Gateway.Tests.Infrastructure.ContentDecoding;

namespace Gateway.Tests.Csv;

/// <summary>
/// The CSV export compressed as it streams: each page's rows still go out (and decode) as the page arrives
/// (100,000 rows: <see cref="CsvExportCompressedMemoryTests"/>).
/// </summary>
public sealed class CsvExportCompressionTests : IClassFixture<ProxyFixture>
{
    private const string Path = "/api/v2/invoices/en-us/csv";

    private readonly ProxyFixture _proxy;

    public CsvExportCompressionTests(ProxyFixture proxy)
    {
        _proxy = proxy;
        _proxy.Reset();
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
}
