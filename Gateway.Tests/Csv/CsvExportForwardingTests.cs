using System.Net;
using System.Text;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Gateway.Tests.Csv;

/// <summary>
/// <c>GET /api/v2/invoices/en-us/csv</c> through the real gateway, in front of a stand-in Strapi that serves
/// invoices by page or fails where a test says.
/// </summary>
public sealed class CsvExportForwardingTests : IClassFixture<ProxyFixture>, IClassFixture<RedisFixture>
{
    private const string Path = "/api/v2/invoices/en-us/csv";

    private readonly ProxyFixture _proxy;
    private readonly RedisFixture _redis;

    public CsvExportForwardingTests(ProxyFixture proxy, RedisFixture redis)
    {
        _proxy = proxy;
        _redis = redis;
        _proxy.Reset();
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(100, 1)]
    [InlineData(101, 2)]
    [InlineData(1000, 10)]
    public async Task EveryInvoice_ExactCsv_OneStrapiRequestPerPage(int invoices, int pages)
    {
        _proxy.Strapi.Handler = InvoicePages.Serve(invoices);

        var download = await DownloadAsync(Path);

        Assert.False(download.Broken);
        Assert.Equal(HttpStatusCode.OK, download.Response.StatusCode);
        Assert.Equal("text/csv; charset=utf-8", download.Response.Content.Headers.ContentType?.ToString());
        Assert.Equal("attachment; filename=\"invoices.csv\"", download.Response.Content.Headers.ContentDisposition?.ToString());
        Assert.Null(download.Response.Content.Headers.ContentLength);
        Assert.Equal(InvoicePages.Csv(invoices), download.Body);
        Assert.Equal(Enumerable.Range(1, pages), _proxy.Strapi.Requests.Select(request => int.Parse(Query(request)["pagination[page]"]!, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task EveryPageRequest_CarriesTokenPagingSortPopulate_AndAsksForNoCompression()
    {
        _proxy.Strapi.Handler = InvoicePages.Serve(250);
        using var request = new HttpRequestMessage(HttpMethod.Get, Path);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer client-secret");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip, br");

        using var response = await _proxy.Client.SendAsync(request);

        Assert.Equal(InvoicePages.Csv(250), await ContentDecoding.DecodedTextAsync(response));
        Assert.Equal(3, _proxy.Strapi.Requests.Count);
        Assert.All(_proxy.Strapi.Requests, seen =>
        {
            Assert.StartsWith("/api/invoices?", seen.Target, StringComparison.Ordinal);
            Assert.Equal($"Bearer {GatewayHost.Token}", seen.Header("Authorization"));
            Assert.Null(seen.Header("Accept-Encoding"));
            var query = Query(seen);
            Assert.Equal("100", query["pagination[pageSize]"]);
            Assert.Equal("id:asc", query["sort"]);
            Assert.Equal("name", query["populate[customer][fields][0]"]);
            Assert.Equal("email", query["populate[customer][fields][1]"]);
        });
    }

    [Fact]
    public async Task FilterAndSort_ReachStrapiOnEveryPage_ClientPagingIgnored()
    {
        _proxy.Strapi.Handler = InvoicePages.Serve(150);

        var download = await DownloadAsync(Path + "?filters[invoice_status][$eq]=paid&sort=amount:desc&pagination[page]=9&pagination[pageSize]=5&fields[0]=amount");

        Assert.Equal(InvoicePages.Csv(150), download.Body);
        Assert.Equal(2, _proxy.Strapi.Requests.Count);
        Assert.All(_proxy.Strapi.Requests, seen =>
        {
            var query = Query(seen);
            Assert.Equal("paid", query["filters[invoice_status][$eq]"]);
            Assert.Equal("amount:desc,id:asc", query["sort"]);
            Assert.Equal("100", query["pagination[pageSize]"]);
            Assert.False(query.ContainsKey("fields[0]"));
        });
    }

    [Fact]
    public async Task NullCustomerAndAwkwardText_EmptyCellsQuotedAndNeutralised()
    {
        const string items = """
            {"id":1,"documentId":"a","date":"2024-01-01","amount":5,"invoice_status":"paid","createdAt":"c","updatedAt":"u","publishedAt":null,"customer":null},
            {"id":2,"documentId":"b","amount":6,"customer":{"id":3,"documentId":"d","name":"Zoë \"Z\", Ltd\r\nnext","email":"=cmd()"}}
            """;
        _proxy.Strapi.Handler = context => InvoicePages.WriteAsync(context, InvoicePages.Envelope(items, 1, 2));

        var download = await DownloadAsync(Path);

        Assert.Equal(
            InvoicePages.Header
            + "1,a,2024-01-01,5,paid,c,u,,,,,\r\n"
            + "2,b,,6,,,,,3,d,\"Zoë \"\"Z\"\", Ltd\r\nnext\",\"'=cmd()\"\r\n",
            download.Body);
    }

    [Fact]
    public async Task RowsGoOutAsEachPageArrives()
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

        using var response = await _proxy.Client.GetAsync(Path, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var firstPage = InvoicePages.Csv(100);
        var received = new byte[Encoding.UTF8.GetByteCount(firstPage)];
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await body.ReadExactlyAsync(received, deadline.Token);
        }

        Assert.Equal(firstPage, Encoding.UTF8.GetString(received));
        release.SetResult();
        using var reader = new StreamReader(body);
        Assert.Equal(InvoicePages.Csv(200)[firstPage.Length..], await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task ExportLongerThanTheTimeout_CompletesWhileEachPageIsInTime()
    {
        // Eight pages of 250 ms each: the export takes twice the 1 s timeout, and each page leaves 750 ms of margin for a
        // busy machine (400 ms pages left 600 ms, and one CI run under parallel load broke there).
        var serve = InvoicePages.Serve(800);
        _proxy.Strapi.Handler = async context =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), context.RequestAborted);
            await serve(context);
        };

        var download = await DownloadAsync(Path);

        Assert.False(download.Broken, "the timeout (1 s here) is per page, not for the whole export");
        Assert.Equal(InvoicePages.Csv(800), download.Body);
    }

    public static TheoryData<string, Func<HttpContext, Task>> LaterPageFaults() => new()
    {
        { "500", context => Results(context, StatusCodes.Status500InternalServerError) },
        { "404", context => Results(context, StatusCodes.Status404NotFound) },
        { "hang", context => Task.Delay(Timeout.Infinite, context.RequestAborted) },
        { "drop", context => { context.Abort(); return Task.CompletedTask; } },
        { "not JSON", context => InvoicePages.WriteAsync(context, "<html>busy</html>") },
        { "truncated", async context => { await context.Response.WriteAsync("{\"data\":[" + InvoicePages.Invoice(201)); context.Abort(); } },
    };

    [Theory]
    [MemberData(nameof(LaterPageFaults))]
    public async Task StrapiFailsOnPage3_DownloadAbortedAfterTwoPages(string fault, Func<HttpContext, Task> failing)
    {
        Assert.NotNull(fault);
        var serve = InvoicePages.Serve(1000);
        _proxy.Strapi.Handler = context => InvoicePages.RequestedPage(context) == 3 ? failing(context) : serve(context);

        var download = await DownloadAsync(Path);

        Assert.Equal(HttpStatusCode.OK, download.Response.StatusCode);
        Assert.True(download.Broken, "the client sees a broken download");
        Assert.Equal(InvoicePages.Csv(200), download.Body);
        Assert.Equal(3, _proxy.Strapi.Requests.Count);
    }

    [Fact]
    public async Task PageComesBackShort_DownloadAborted()
    {
        _proxy.Strapi.Handler = context => InvoicePages.RequestedPage(context) == 2
            ? InvoicePages.WriteAsync(context, InvoicePages.Page(150, 2, announcedTotal: 250))
            : InvoicePages.Serve(250)(context);

        var download = await DownloadAsync(Path);

        Assert.True(download.Broken, "fewer rows than Strapi's total is a broken download");
        Assert.StartsWith(InvoicePages.Csv(150), download.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadFilter_StrapisOwn400PassesThrough()
    {
        const string error = """{"data":null,"error":{"status":400,"name":"ValidationError","message":"Invalid key nope","details":{}}}""";
        _proxy.Strapi.Respond(400, error);

        using var response = await _proxy.Client.GetAsync(Path + "?filters[date][$eq]=not-a-date");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(error, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(500, "{\"data\":null,\"error\":{\"status\":500}}")]
    [InlineData(503, "")]
    [InlineData(200, "<html>not a list</html>")]
    [InlineData(200, "{\"data\":[]}")]
    public async Task FirstPageUnusable_502Problem(int status, string body)
    {
        _proxy.Strapi.Respond(status, body);

        using var response = await _proxy.Client.GetAsync(Path);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadGateway);
    }

    [Fact]
    public async Task FirstPageHeadersNeverCome_504Problem()
    {
        _proxy.Strapi.Hang();

        using var response = await _proxy.Client.GetAsync(Path);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.GatewayTimeout);
    }

    [Fact]
    public async Task FirstPageBodyStalls_504Problem()
    {
        _proxy.Strapi.Handler = async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"data\":[", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        };

        using var response = await _proxy.Client.GetAsync(Path);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.GatewayTimeout);
    }

    [Fact]
    public async Task StrapiUnreachable_502Problem()
    {
        var closedPort = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        await using var gateway = new GatewayHost(closedPort, _proxy.Frontend.BaseUrl, _redis.Server.Configuration);
        using var client = gateway.CreateGatewayClient();

        using var response = await client.GetAsync(Path);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadGateway);
    }

    [Fact]
    public async Task OtherMethods_NotTheExport()
    {
        using var response = await _proxy.Client.DeleteAsync(Path);

        Assert.NotEqual("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(_proxy.Strapi.Requests, seen => seen.Target.Contains("pagination", StringComparison.Ordinal));
    }

    private static Task Results(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    private static Dictionary<string, string?> Query(RecordedRequest request)
        => QueryHelpers.ParseQuery(new Uri("http://x" + request.Target).Query).ToDictionary(pair => pair.Key, pair => (string?)pair.Value.ToString());

    private async Task<Download> DownloadAsync(string path)
    {
        var response = await _proxy.Client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        using var received = new MemoryStream();
        var broken = false;
        try
        {
            await body.CopyToAsync(received);
        }
        catch (IOException)
        {
            broken = true;
        }

        return new Download(response, Encoding.UTF8.GetString(received.ToArray()), broken);
    }

    private sealed record Download(HttpResponseMessage Response, string Body, bool Broken);
}
