using Microsoft.Net.Http.Headers;

namespace Gateway.Access;

/// <summary>
/// Whether a request is a person's browser opening a page (so a refusal should be a page: the sign-in page, or a
/// readable 403) rather than a script, a fetch or a machine caller (which keep getting problem details). A
/// navigation is a <c>GET</c> or <c>HEAD</c> with <c>Sec-Fetch-Mode: navigate</c>, or, from browsers that do not send
/// it, an <c>Accept</c> whose most preferred type is HTML. A request that carries its own credentials
/// (<c>Authorization</c>, <c>X-Admin-Key</c>) is a machine's, whatever it accepts.
/// </summary>
internal static class BrowserNavigation
{
    private const string SecFetchMode = "Sec-Fetch-Mode";

    public static bool Is(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        if (!(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            || request.Headers.ContainsKey(HeaderNames.Authorization)
            || request.Headers.ContainsKey(AdminKeyAuthenticationHandler.Header))
        {
            return false;
        }

        var mode = request.Headers[SecFetchMode].ToString();
        return mode.Length > 0
            ? string.Equals(mode, "navigate", StringComparison.OrdinalIgnoreCase)
            : PrefersHtml(request.Headers.Accept.ToString());
    }

    /// <summary>The first of the most preferred media types (wildcards aside) is <c>text/html</c> or XHTML.</summary>
    internal static bool PrefersHtml(string accept)
    {
        if (accept.Length == 0 || !MediaTypeHeaderValue.TryParseList([accept], out var types))
        {
            return false;
        }

        MediaTypeHeaderValue? best = null;
        foreach (var type in types)
        {
            if (type.MatchesAllTypes || type.MatchesAllSubTypes || (type.Quality ?? 1) <= 0)
            {
                continue;
            }

            if (best is null || (type.Quality ?? 1) > (best.Quality ?? 1))
            {
                best = type;
            }
        }

        return best is not null
            && (best.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase)
                || best.MediaType.Equals("application/xhtml+xml", StringComparison.OrdinalIgnoreCase));
    }
}
