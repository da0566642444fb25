using System.Net;
using System.Security.Cryptography;
using System.Text;
using Gateway.Tests.Infrastructure;
using static Gateway.Tests.Infrastructure.ContentDecoding;

namespace Gateway.Tests.Csv;

/// <summary>
/// 100,000 rows through the gateway, compressed as they stream, decode to the whole file while memory stays flat; run
/// alone (<see cref="MeasuredAlone"/>), as the memory measured is the test process's, and the gateway runs in it.
/// </summary>
[Collection(MeasuredAlone.Name)]
public sealed class CsvExportCompressedMemoryTests : IAsyncLifetime
{
    private const string Path = "/api/v2/invoices/en-us/csv";
    private const int Rows = 100_000;

    private RedisServer _redis = null!;
    private StubUpstream _strapi = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _strapi = await StubUpstream.StartAsync();
        _gateway = new GatewayHost(_strapi.BaseUrl, _strapi.BaseUrl, _redis.Configuration);
        _client = _gateway.CreateGatewayClient();
        _client.Timeout = TimeSpan.FromMinutes(3);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _strapi.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task HundredThousandRows_DecodeToTheWholeFile_MemoryFlat(string coding)
    {
        var expected = ExpectedHash(Rows, out var expectedBytes);
        _strapi.Handler = InvoicePages.Serve(Rows);
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var peak = baseline;

        using var response = await SendAsync(_client, Path, coding, completion: HttpCompletionOption.ResponseHeadersRead);
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
        Assert.Equal(Rows / InvoicePages.PageSize, _strapi.Requests.Count);

        // The file is 18 MB; a gateway that held it before compressing would grow by that much (measured: 3 to 6 MB).
        Assert.True(peak - baseline < 12 * 1024 * 1024, $"managed memory grew by {(peak - baseline) / 1024 / 1024} MB during the export");
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
