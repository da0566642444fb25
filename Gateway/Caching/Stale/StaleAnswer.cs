using System.Globalization;
using Gateway.Caching.Validators;
using Gateway.Compression;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Gateway.Caching.Stale;

/// <summary>
/// A stale copy in place of Strapi's failed answer (not started yet): <c>200</c> with the copy's body, <c>Content-Type</c>
/// and <c>ETag</c>, <c>Age</c> since it was stored, the failed answer's representation headers gone, and
/// <see cref="CacheStatus.MarkStale"/> (so <c>Cache-Status</c> says so and the cache does not store it). A matching
/// <c>If-None-Match</c> gets a <c>304</c>.
/// </summary>
internal static class StaleAnswer
{
    private static readonly string[] Replaced =
    [
        HeaderNames.ContentType, HeaderNames.ContentLength, HeaderNames.ContentEncoding, HeaderNames.ContentLanguage,
        HeaderNames.ContentRange, HeaderNames.ETag, HeaderNames.LastModified, HeaderNames.Expires, HeaderNames.CacheControl,
        HeaderNames.Vary, HeaderNames.SetCookie, HeaderNames.RetryAfter, HeaderNames.Age,
    ];

    public static async Task WriteAsync(HttpContext http, StaleCopy copy, int upstreamStatus, TimeProvider time, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(copy);
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        http.Features.GetRequiredFeature<IHttpResponseFeature>().ReasonPhrase = null;
        foreach (var name in Replaced)
        {
            response.Headers.Remove(name);
        }

        var etag = EntityTag.ForCoding(copy.ETag, CompressionExtensions.CodingOf(http));
        response.Headers.ETag = etag;
        var age = (long)Math.Max(0, (time.GetUtcNow() - copy.Stored).TotalSeconds);
        response.Headers.Age = age.ToString(CultureInfo.InvariantCulture);
        http.Features.Get<CacheStatus>()?.MarkStale(upstreamStatus);
        if (EntityTag.Matches(http.Request.Headers.IfNoneMatch, etag))
        {
            NotModified.Apply(response);
            return;
        }

        response.ContentType = copy.ContentType;
        response.ContentLength = copy.Body.Length;
        if (!HttpMethods.IsHead(http.Request.Method))
        {
            await response.Body.WriteAsync(copy.Body, cancel);
        }
    }
}
