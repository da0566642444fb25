using System.Globalization;
using Gateway.Hosting;

namespace Gateway.Access;

/// <summary>The problem answers of access control, each written in one place.</summary>
internal static class AccessProblems
{
    public static ValueTask UnauthorizedAsync(HttpContext context)
        => GatewayProblems.WriteAsync(context, StatusCodes.Status401Unauthorized, "Sign-in required");

    /// <summary>403 naming the roles that would do, so a caller knows what to ask for.</summary>
    public static ValueTask ForbiddenAsync(HttpContext context, IReadOnlyCollection<string> roles)
        => GatewayProblems.WriteAsync(context, StatusCodes.Status403Forbidden, "Not allowed",
            roles.Count > 0 ? $"This needs one of the roles: {string.Join(", ", roles)}." : null);

    /// <summary>A form or write that did not come from this site.</summary>
    public static ValueTask CrossSiteAsync(HttpContext context)
        => GatewayProblems.WriteAsync(context, StatusCodes.Status403Forbidden, "Cross-site request refused",
            "A request signed in with the session cookie, or one that signs in or out, must come from this site.");

    /// <summary>503 with <c>Retry-After</c>: the session cookie could not be checked (the session store unreachable).</summary>
    public static ValueTask SessionUncheckedAsync(HttpContext context)
        => GatewayProblems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Session cannot be checked",
            $"The session store is unreachable; you are still signed in. Try again in {SetRetryAfter(context.Response, TimeSpan.FromSeconds(2))} s.");

    /// <summary>429 with <c>Retry-After</c> in whole seconds (at least 1).</summary>
    public static ValueTask TooManyAsync(HttpContext context, TimeSpan retryAfter)
        => GatewayProblems.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many requests",
            $"Try again in {SetRetryAfter(context.Response, retryAfter)} s.");

    /// <summary>Sets <c>Retry-After</c> in whole seconds (at least 1) and returns them.</summary>
    public static int SetRetryAfter(HttpResponse response, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return seconds;
    }
}
