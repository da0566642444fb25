using Gateway.Caching.Stale;
using Gateway.Caching.Validators;
using Gateway.Compression;
using Gateway.Csv;
using Gateway.Hosting;
using Gateway.Strapi;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Caching.Answers;

/// <summary>
/// Between the response cache and YARP, on every <c>GET</c>/<c>HEAD</c> forwarded to Strapi (what reaches it is a cache
/// miss or a read that is not cached). Strapi's answer is held (<see cref="HeldResponseBody"/>, at most
/// <see cref="ResponseCacheOptions.MaxBodyBytes"/>) when it is a <c>200</c> JSON answer, or, on a cached read, an error.
/// Validators: a held <c>200</c> JSON answer gets its <c>ETag</c> (<see cref="EntityTag"/>), hashed once here, so the
/// output cache stores it with the entry and answers <c>If-None-Match</c> on hits itself; an answer that is not going to be
/// stored and matches <c>If-None-Match</c> becomes a <c>304</c> here.
/// Stale-if-error, on cached reads: each good answer that the cache may keep is also kept as the read's stale copy
/// (<see cref="StaleCopies"/>); when Strapi answers 5xx, cannot be reached, or does not answer within
/// <see cref="ResponseCacheOptions.StaleWait"/> (<see cref="StaleWait"/>), that copy answers instead, marked by
/// <see cref="CacheStatus"/> and never stored in the cache.
/// </summary>
internal sealed partial class StrapiAnswersMiddleware(
    RequestDelegate next,
    StaleCopies copies,
    IOptionsMonitor<ResponseCacheOptions> options,
    TimeProvider time,
    ILogger<StrapiAnswersMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!IsStrapiRead(http))
        {
            await next(http);
            return;
        }

        var settings = options.CurrentValue;
        var status = http.Features.Get<CacheStatus>();
        var staleKey = status is not null && settings.StaleIfError > TimeSpan.Zero ? StaleCopies.KeyOf(status.Collection, http.Request) : null;
        var client = http.RequestAborted;
        using var body = new HeldResponseBody(http.Response, settings.MaxBodyBytes, staleKey is null ? IsValidatable : IsValidatableOrFailed);
        var bodyFeature = SetBody(http, body);
        var wait = staleKey is null ? null : StaleWait.Start(http, copies, staleKey, settings.StaleWait, time);
        try
        {
            if (wait is not null)
            {
                body.Writing += wait.Answered;
            }

            await next(http);
            await bodyFeature.CompleteAsync(); // what a PipeWriter still had, into the held body
        }
        finally
        {
            http.Response.Body = body.Inner;
            if (wait is not null)
            {
                await wait.DisposeAsync(); // the client's token back, before anything more is written
            }
        }

        if (client.IsCancellationRequested || !body.Holding)
        {
            return; // the client left (nothing to answer), or the answer went on as it came
        }

        // A forward given up for the wait is a failure too (YARP's error feature); one that finished first is not.
        if (staleKey is not null && Failed(http))
        {
            await AnswerFailureAsync(http, body, staleKey, wait!.GaveUp, client);
            return;
        }

        if (IsValidatable(http.Response) && Validated(http, body, staleKey))
        {
            return;
        }

        await body.ReleaseAsync(client);
    }

    /// <summary>A <c>200</c> JSON answer: its <c>ETag</c>, its stale copy; true when it became a <c>304</c>.</summary>
    private bool Validated(HttpContext http, HeldResponseBody body, string? staleKey)
    {
        var response = http.Response;
        var held = body.Held;
        var etag = EntityTag.Of(held.Span);
        var sent = EntityTag.ForCoding(etag, CompressionExtensions.CodingOf(http));
        response.Headers.ETag = sent;
        var storable = http.Features.Get<CacheStatus>() is not null && ResponseCachePolicy.Storable(http);
        if (storable && staleKey is not null)
        {
            StaleCopies.Offer(http, staleKey, new StaleCopy(time.GetUtcNow(), etag, response.ContentType, held.ToArray())); // the held buffer goes back to the pool
        }

        // A stored answer is sent whole, so the cache keeps it; the next conditional read is a hit, answered 304 by the cache.
        if (!storable && EntityTag.Matches(http.Request.Headers.IfNoneMatch, sent))
        {
            NotModified.Apply(response);
            return true;
        }

        return false;
    }

    /// <summary>Strapi failed a cached read: its stale copy answers, or the failure goes on as it is.</summary>
    private async Task AnswerFailureAsync(HttpContext http, HeldResponseBody body, string staleKey, bool gaveUp, CancellationToken client)
    {
        var response = http.Response;
        var upstreamStatus = gaveUp ? StatusCodes.Status504GatewayTimeout : response.StatusCode;
        if (await copies.GetAsync(staleKey, client) is { } copy)
        {
            LogStale(logger, upstreamStatus);
            await StaleAnswer.WriteAsync(http, copy, upstreamStatus, time, client);
            return;
        }

        if (gaveUp)
        {
            // The copy went in the meantime, and YARP took the cancelled forward for a client that left: say what happened.
            var (status, title) = ForwarderProblemDetailsMiddleware.Describe(ForwarderError.RequestTimedOut, StatusCodes.Status504GatewayTimeout);
            await GatewayProblems.WriteAsync(http, status, title);
            return;
        }

        await body.ReleaseAsync(client);
    }

    private static IHttpResponseBodyFeature SetBody(HttpContext http, HeldResponseBody body)
    {
        http.Response.Body = body;
        return http.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
    }

    /// <summary>A read forwarded to Strapi, but not a CSV export (a stream of its own, never held or hashed).</summary>
    private static bool IsStrapiRead(HttpContext http)
    {
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
        {
            return false;
        }

        var route = http.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config;
        return string.Equals(route?.ClusterId, StrapiOptions.ClusterId, StringComparison.OrdinalIgnoreCase)
            && route?.Transforms?.Any(transform => transform.ContainsKey(CsvExportTransformFactory.Key)) != true;
    }

    /// <summary>A <c>200</c> JSON answer as Strapi (or the gateway's own view of it) made it, not compressed.</summary>
    private static bool IsValidatable(HttpResponse response)
        => response.StatusCode == StatusCodes.Status200OK
            && !response.Headers.ContainsKey(HeaderNames.ContentEncoding)
            && MediaTypeHeaderValue.TryParse(response.ContentType, out var type)
            && (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || type.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));

    private static bool IsValidatableOrFailed(HttpResponse response) => IsValidatable(response) || Failed(response.HttpContext);

    /// <summary>Strapi answered 5xx, or YARP got no answer from it (refused, reset, timed out: 502/503/504 and its error feature).</summary>
    private static bool Failed(HttpContext http)
        => http.Response.StatusCode >= StatusCodes.Status500InternalServerError || http.GetForwarderErrorFeature() is not null;

    [LoggerMessage(EventId = 11061, Level = LogLevel.Debug, Message = "Stale copy served: Strapi answered {UpstreamStatus}")]
    private static partial void LogStale(ILogger logger, int upstreamStatus);
}
