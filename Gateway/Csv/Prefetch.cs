using Microsoft.Extensions.Primitives;

namespace Gateway.Csv;

/// <summary>
/// Requests a browser or Next.js makes ahead of a click: Next's router (<c>Next-Router-Prefetch</c>, and <c>RSC</c> for
/// its flight data, which a file download cannot be), and the browser's speculative loads (<c>Purpose: prefetch</c>,
/// <c>Sec-Purpose: prefetch</c> or <c>prefetch;prerender</c>).
/// </summary>
internal static class Prefetch
{
    public static bool Is(IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(headers);

        return headers.ContainsKey("Next-Router-Prefetch")
            || headers.ContainsKey("RSC")
            || NamesPrefetch(headers["Purpose"])
            || NamesPrefetch(headers["Sec-Purpose"]);
    }

    private static bool NamesPrefetch(StringValues values)
    {
        foreach (var value in values)
        {
            foreach (var token in (value ?? "").Split(';', ','))
            {
                if (token.Trim().Equals("prefetch", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
