namespace Gateway.Access;

/// <summary>
/// Where a browser goes after signing in or out: only ever a path on this origin. Anything that could leave it
/// (<c>//host</c>, <c>/\host</c>, a scheme, control characters, any of these percent-encoded once or twice, raw
/// non-ASCII a browser would encode its own way, an overlong value) becomes <c>/</c>, so sign-in cannot be used as an
/// open redirect and a strange value never fails the request.
/// </summary>
internal static class ReturnUrl
{
    /// <summary>The query parameter that carries it, on the sign-in page and the form.</summary>
    public const string Parameter = "returnUrl";

    public const string Home = "/";

    /// <summary>Longer than any path the dashboard links to; a longer value is not a place to go back to.</summary>
    internal const int MaxLength = 2048;

    /// <summary>How many rounds of percent-decoding are checked: what a chain of decoders (proxy, app, browser) might do.</summary>
    private const int DecodeRounds = 3;

    /// <summary><paramref name="value"/> when it is a safe local path (with its query), else <see cref="Home"/>.</summary>
    public static string Sanitize(string? value)
        => value is { Length: > 0 and <= MaxLength } && IsLocal(value) ? value : Home;

    /// <summary>The one <c>returnUrl</c> a query or form gave, made safe; none, several or a bad one: <see cref="Home"/>.</summary>
    public static string From(Microsoft.Extensions.Primitives.StringValues values)
        => values is { Count: 1 } ? Sanitize(values[0]) : Home;

    /// <summary>The sign-in page's address that comes back to <paramref name="returnUrl"/> (<c>/auth/login?returnUrl=…</c>).</summary>
    public static string SignInPage(string returnUrl)
        => returnUrl == Home ? SignInEndpoints.LoginPath : $"{SignInEndpoints.LoginPath}?{Parameter}={Uri.EscapeDataString(returnUrl)}";

    /// <summary>The path and query of this request, as a place to come back to.</summary>
    public static string Of(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Sanitize(request.PathBase + request.Path + request.QueryString);
    }

    internal static bool IsLocal(string url)
    {
        if (!IsPlainLocalPath(url))
        {
            return false;
        }

        var current = url;
        for (var round = 0; round < DecodeRounds; round++)
        {
            var decoded = Uri.UnescapeDataString(current);
            if (decoded == current)
            {
                return true;
            }

            if (!StartsLocal(decoded) || decoded.Any(char.IsControl))
            {
                return false;
            }

            current = decoded;
        }

        // Still changing after every round: encoded deeper than anything legitimate is.
        return false;
    }

    /// <summary>As sent: starts with one <c>/</c>, printable ASCII only, no backslash anywhere.</summary>
    private static bool IsPlainLocalPath(string url)
    {
        if (!StartsLocal(url))
        {
            return false;
        }

        foreach (var c in url)
        {
            if (c is < '!' or > '~' or '\\')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>One <c>/</c>, not <c>//</c> or <c>/\</c> (which browsers read as another host).</summary>
    private static bool StartsLocal(string url)
        => url.Length > 0 && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
