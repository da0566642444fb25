using System.Globalization;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gateway.Caching;

/// <summary>
/// The <c>Cache-Control</c> of an answer that needed sign-in: <c>private</c>, so no shared cache keeps it. What a browser
/// may still do is kept from the original: <c>no-store</c>; else <c>no-cache</c> when the answer had it or carries a
/// validator (<c>ETag</c>, <c>Last-Modified</c>: the browser revalidates); else the original's <c>max-age</c>. Everything
/// meant for shared caches (<c>public</c>, <c>s-maxage</c>, <c>stale-while-revalidate</c>, <c>proxy-revalidate</c>…) goes.
/// </summary>
internal static class PrivateCacheControl
{
    public const string Private = "private";
    public const string PrivateNoStore = "private, no-store";
    public const string PrivateNoCache = "private, no-cache";

    public static string For(StringValues cacheControl, bool hasValidator)
    {
        var parsed = CacheControlHeaderValue.TryParse(cacheControl.ToString(), out var value) ? value : null;
        if (parsed?.NoStore == true)
        {
            return PrivateNoStore;
        }

        if (hasValidator || parsed?.NoCache == true)
        {
            return PrivateNoCache;
        }

        return parsed?.MaxAge is { } maxAge
            ? string.Create(CultureInfo.InvariantCulture, $"{Private}, max-age={(long)maxAge.TotalSeconds}")
            : Private;
    }
}
