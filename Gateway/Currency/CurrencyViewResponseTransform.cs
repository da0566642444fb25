using System.Buffers;
using System.Net;
using System.Text.Json;
using Gateway.Hosting;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Currency;

/// <summary>
/// Turns Strapi's 200 JSON list into the currency view (<see cref="CurrencyViewWriter"/>), with the rate of
/// <see cref="Currency"/> from <see cref="IExchangeRateProvider"/>, which never fails. Any other answer passes unchanged.
/// Strapi's body is buffered (a page is at most 100 items); the view is written straight to the response.
/// </summary>
internal sealed partial class CurrencyViewResponseTransform(string currency, IExchangeRateProvider rates, CurrencyMetrics metrics, ILogger logger)
    : ResponseTransform
{
    private const int InitialViewBytes = 16 * 1024;
    private const int MaxKeptViewBytes = 1024 * 1024;

    /// <summary>
    /// The view is built here, per thread and reused, then copied to the response in one go. Safe across requests: it is
    /// filled and emptied with no await in between.
    /// </summary>
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_view;

    public string Currency { get; } = currency;

    public override async ValueTask ApplyAsync(ResponseTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        var upstream = context.ProxyResponse;
        if (upstream is not { StatusCode: HttpStatusCode.OK } || !IsJson(upstream.Content.Headers.ContentType?.MediaType))
        {
            return;
        }

        var http = context.HttpContext;
        var cancel = http.RequestAborted;
        var response = http.Response;
        context.SuppressResponseBody = true;
        response.ContentLength = null;
        response.Headers.Remove(HeaderNames.ETag);
        UpstreamBody? body;
        try
        {
            body = await UpstreamBody.TryReadAsync(upstream.Content, cancel);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return; // The client left: nobody to answer, nothing to report.
        }

        using var owned = body;
        if (body is null)
        {
            LogUnreadable(logger);
            await GatewayProblems.WriteAsync(http, StatusCodes.Status502BadGateway, "The upstream answer could not be read");
            return;
        }

        var quote = await rates.GetRateAsync(Currency, cancel);
        var view = t_view ??= new ArrayBufferWriter<byte>(InitialViewBytes);
        view.ResetWrittenCount();
        try
        {
            CurrencyViewWriter.Write(body.Span, view, quote);
        }
        catch (JsonException)
        {
            LogUnreadable(logger);
            await GatewayProblems.WriteAsync(http, StatusCodes.Status502BadGateway, "The upstream answer could not be read");
            return;
        }
        catch (OverflowException)
        {
            LogOverflow(logger, Currency, quote.Rate);
            await GatewayProblems.WriteAsync(http, StatusCodes.Status502BadGateway, "An amount is too large to convert");
            return;
        }

        metrics.Viewed(quote);

        // Written whole before the first byte goes out: a failure above is a problem, never a partial view. Its length is
        // known, so it goes with Content-Length in one write, not chunked (which costs a second write for the last chunk).
        response.ContentLength = view.WrittenCount;
        response.BodyWriter.Write(view.WrittenSpan);
        if (view.Capacity > MaxKeptViewBytes)
        {
            t_view = null;
        }

        await response.BodyWriter.FlushAsync(cancel);
    }

    private static bool IsJson(string? mediaType)
        => string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(EventId = 6031, Level = LogLevel.Warning, Message = "An amount in Strapi's answer is too large to convert to {Currency} at {Rate}")]
    private static partial void LogOverflow(ILogger logger, string currency, decimal rate);

    [LoggerMessage(EventId = 6030, Level = LogLevel.Warning, Message = "Strapi's answer to a currency view was not its list envelope")]
    private static partial void LogUnreadable(ILogger logger);
}
