using System.Globalization;
using Gateway.Hosting;

namespace Gateway.Access;

/// <summary>The problem answers of access control, each written in one place.</summary>
internal static class AccessProblems
{
    public static ValueTask UnauthorizedAsync(HttpContext context)
        => GatewayProblems.WriteAsync(context, StatusCodes.Status401Unauthorized, "Sign-in required");

    public static ValueTask ForbiddenAsync(HttpContext context)
        => GatewayProblems.WriteAsync(context, StatusCodes.Status403Forbidden, "Not allowed");

    /// <summary>429 with <c>Retry-After</c> in whole seconds (at least 1).</summary>
    public static ValueTask TooManyAsync(HttpContext context, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return GatewayProblems.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many requests",
            $"Try again in {seconds} s.");
    }
}
