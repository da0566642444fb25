using Microsoft.Extensions.Options;

namespace Gateway.Access;

/// <summary>
/// A POST, PUT, PATCH or DELETE that carries the session cookie must come from this origin: an <c>Origin</c> header,
/// when sent, must be the request's own origin, and <c>Sec-Fetch-Site</c>, when sent, <c>same-origin</c> or <c>none</c>.
/// Otherwise a 403 problem, before authentication or anything upstream. (SameSite=Lax already keeps the cookie off
/// cross-site POSTs in today's browsers; this holds for same-site pages on other origins and older browsers.)
/// </summary>
internal sealed class CrossSiteGuard(RequestDelegate next, IOptionsMonitor<AccessOptions> options)
{
    private const string SecFetchSite = "Sec-Fetch-Site";

    // Not async: a request that passes (nearly all) goes on without a state machine of its own.
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || !HasSessionCookie(request, options.CurrentValue.Session.CookieName)
            || (SameOrigin(request) && SameSite(request)))
        {
            return next(context);
        }

        return AccessProblems.CrossSiteAsync(context).AsTask();
    }

    /// <summary>
    /// Positively from this origin, as a form that changes who is signed in must be: an <c>Origin</c> or
    /// <c>Sec-Fetch-Site</c> header is sent (every current browser sends both on a POST) and each one sent says so.
    /// </summary>
    internal static bool FromThisOrigin(HttpRequest request)
        => (request.Headers.Origin.Count > 0 || request.Headers.ContainsKey(SecFetchSite)) && SameOrigin(request) && SameSite(request);

    /// <summary>The cookie, or one of its chunks (<c>name</c>, <c>nameC1</c>…, as ASP.NET Core splits large cookies).</summary>
    internal static bool HasSessionCookie(HttpRequest request, string name)
        => request.Cookies.ContainsKey(name) || request.Cookies.ContainsKey(name + "C1");

    private static bool SameOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0
            || (Uri.TryCreate(origin, UriKind.Absolute, out var uri)
                && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
                && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }

    private static bool SameSite(HttpRequest request)
    {
        var site = request.Headers[SecFetchSite].ToString();
        return site.Length == 0
            || string.Equals(site, "same-origin", StringComparison.OrdinalIgnoreCase)
            || string.Equals(site, "none", StringComparison.OrdinalIgnoreCase);
    }
}
