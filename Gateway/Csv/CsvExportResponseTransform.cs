using System.Net;
using Microsoft.Extensions.Options;
using Gateway.Hosting;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Csv;

/// <summary>
/// Answers with the whole export as CSV, streamed: page 1 is the response YARP fetched, pages 2..pageCount are
/// fetched here (<see cref="StrapiPageFetcher"/>), and each page's rows go out and are flushed as the page arrives.
/// Before the first byte a failure is a problem (Strapi's 4xx as it is, 502, 504); after it the response is aborted,
/// so a client never keeps a shorter file that looks whole. That includes fewer rows than Strapi's <c>total</c>, and a
/// client that leaves a page unread for <see cref="CsvOptions.ClientStallTimeout"/>: dropping it ends the Strapi reads.
/// A <c>HEAD</c> gets the headers a <c>GET</c> would once page 1 came back, and no further page is read.
/// </summary>
internal sealed partial class CsvExportResponseTransform(CsvExport export, IOptionsMonitor<CsvOptions> options, CsvMetrics metrics, ILogger logger)
    : ResponseTransform
{
    public const string ContentType = "text/csv; charset=utf-8";
    public const string UnusableAnswerTitle = "The upstream's answer could not be exported";

    /// <summary>YARP's own default, for a cluster that sets no <c>ActivityTimeout</c>.</summary>
    private static readonly TimeSpan DefaultPageTimeout = TimeSpan.FromSeconds(100);

    public CsvExport Export { get; } = export;

    public override async ValueTask ApplyAsync(ResponseTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // No response: YARP reports the failed forward (502/504). A 4xx (a bad filter, say) is Strapi's to explain.
        var upstream = context.ProxyResponse;
        if (upstream is null || (int)upstream.StatusCode is >= 400 and < 500)
        {
            return;
        }

        context.SuppressResponseBody = true;
        var http = context.HttpContext;
        RemoveCopiedHeaders(http.Response, upstream);
        if (upstream.StatusCode != HttpStatusCode.OK || upstream.RequestMessage?.RequestUri is null)
        {
            LogFirstPageStatus(logger, Export.Name, (int)upstream.StatusCode);
            await GatewayProblems.WriteAsync(http, StatusCodes.Status502BadGateway, UnusableAnswerTitle);
            return;
        }

        var cluster = http.GetReverseProxyFeature().Cluster;
        var fetcher = new StrapiPageFetcher(cluster.HttpClient, upstream.RequestMessage,
            cluster.Config.HttpRequest?.ActivityTimeout ?? DefaultPageTimeout);
        var first = await fetcher.ReadFirstAsync(upstream, http.RequestAborted);
        if (first.Page is null)
        {
            await RefuseAsync(http, first);
            return;
        }

        using (first.Page)
        {
            await StreamAsync(http, first.Page, fetcher);
        }
    }

    private async Task StreamAsync(HttpContext http, StrapiPage first, StrapiPageFetcher fetcher)
    {
        var response = http.Response;
        var aborted = http.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers.ContentDisposition = Export.ContentDisposition;
        response.Headers.CacheControl = "no-store";

        if (HttpMethods.IsHead(http.Request.Method))
        {
            return;
        }

        var (total, pageCount) = (first.Total, first.PageCount);
        LogStarted(logger, Export.Name, total, pageCount);
        using var writer = new CsvRowWriter(Export.Columns);
        using var stall = new CancellationTokenSource();
        await using var dropOnStall = stall.Token.Register(http.Abort);
        var send = new Sender(writer, response, stall, options.CurrentValue.ClientStallTimeout);
        writer.WriteHeader();
        var rows = writer.WriteRows(first.Data);
        if (!await SendAsync(http, send, first.Data.GetArrayLength()))
        {
            return;
        }

        for (var page = 2; page <= pageCount; page++)
        {
            var next = await fetcher.FetchAsync(page, aborted);
            if (next.Page is null)
            {
                LogFailure(page, next);
                Abort(http, next.Failure == PageFailure.ClientGone ? ClientGone : UpstreamFailed);
                return;
            }

            int written;
            using (next.Page)
            {
                written = writer.WriteRows(next.Page.Data);
                rows += written;
            }

            if (!await SendAsync(http, send, written))
            {
                return;
            }
        }

        if (rows < total)
        {
            LogShort(logger, Export.Name, rows, total);
            Abort(http, "short");
            return;
        }

        LogFinished(logger, Export.Name, rows, pageCount);
    }

    private const string ClientGone = "client_gone";
    private const string UpstreamFailed = "upstream_failed";

    private void Abort(HttpContext http, string reason)
    {
        metrics.Aborted(Export.Name, reason);
        http.Abort();
    }

    private async Task RefuseAsync(HttpContext http, PageRead first)
    {
        LogFailure(1, first);
        switch (first.Failure)
        {
            case PageFailure.ClientGone:
                return;
            case PageFailure.TimedOut:
                var (status, title) = ForwarderProblemDetailsMiddleware.Describe(ForwarderError.RequestTimedOut, StatusCodes.Status504GatewayTimeout);
                await GatewayProblems.WriteAsync(http, status, title);
                return;
            default:
                await GatewayProblems.WriteAsync(http, StatusCodes.Status502BadGateway, UnusableAnswerTitle);
                return;
        }
    }

    /// <summary>
    /// Sends what the writer holds; <c>false</c> when the client has gone, or took nothing for the stall timeout. The stall
    /// timer aborts the connection itself (a pending flush does not always heed a cancelled token), which also tells the
    /// client that what it got is not the whole file.
    /// </summary>
    private async Task<bool> SendAsync(HttpContext http, Sender send, int rows)
    {
        send.Stall.CancelAfter(send.Timeout);
        bool sent;
        try
        {
            sent = await send.Writer.CopyToAsync(send.Response.BodyWriter, http.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            sent = false;
        }

        if (send.Stall.IsCancellationRequested)
        {
            LogClientStalled(logger, Export.Name, send.Timeout);
            metrics.Aborted(Export.Name, "client_stalled");
            return false;
        }

        send.Stall.CancelAfter(Timeout.InfiniteTimeSpan);
        if (!sent || http.RequestAborted.IsCancellationRequested)
        {
            LogClientGone(logger, Export.Name);
            Abort(http, ClientGone);
            return false;
        }

        metrics.Rows(Export.Name, rows);
        return true;
    }

    /// <summary>What one export sends with: its writer, the response, and the stall timer (armed for every page; aborts the connection).</summary>
    private sealed record Sender(CsvRowWriter Writer, HttpResponse Response, CancellationTokenSource Stall, TimeSpan Timeout);

    private void LogFailure(int page, PageRead read)
    {
        if (read.Failure == PageFailure.ClientGone)
        {
            LogClientGone(logger, Export.Name);
        }
        else
        {
            LogPageFailed(logger, Export.Name, page, read.Failure, read.Error);
        }
    }

    /// <summary>YARP copied Strapi's headers (JSON content type, its length): none of them describe the CSV.</summary>
    private static void RemoveCopiedHeaders(HttpResponse response, HttpResponseMessage upstream)
    {
        foreach (var header in upstream.Headers.Concat(upstream.Content.Headers))
        {
            response.Headers.Remove(header.Key);
        }
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Debug, Message = "CSV export {Export}: {Total} rows in {PageCount} pages")]
    private static partial void LogStarted(ILogger logger, string export, int total, int pageCount);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Debug, Message = "CSV export {Export}: {Rows} rows from {PageCount} pages sent")]
    private static partial void LogFinished(ILogger logger, string export, int rows, int pageCount);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "CSV export {Export}: Strapi answered page 1 with {Status}")]
    private static partial void LogFirstPageStatus(ILogger logger, string export, int status);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "CSV export {Export}: page {Page} could not be read ({Failure})")]
    private static partial void LogPageFailed(ILogger logger, string export, int page, PageFailure failure, Exception? error);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "CSV export {Export}: {Rows} rows but Strapi announced {Total}; download aborted")]
    private static partial void LogShort(ILogger logger, string export, int rows, int total);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Debug, Message = "CSV export {Export}: the client went away")]
    private static partial void LogClientGone(ILogger logger, string export);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Information, Message = "CSV export {Export}: the client took nothing for {Timeout}; dropped")]
    private static partial void LogClientStalled(ILogger logger, string export, TimeSpan timeout);
}
